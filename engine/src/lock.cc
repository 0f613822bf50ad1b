#include "migrate/lock.h"

#include <openssl/rand.h>
#include <pwd.h>
#include <unistd.h>

#include <random>
#include <thread>

#include "migrate/duration.h"

namespace migrate {
namespace {

std::string RandomRunId() {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    std::random_device rd;
    for (auto& b : bytes) b = static_cast<unsigned char>(rd());
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

std::string UserName() {
  if (const passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_name) return pw->pw_name;
  return "uid" + std::to_string(::geteuid());
}

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown-host";
  return buf;
}

std::string Describe(const LockHolder& h) {
  return h.holder + " (run " + h.run_id + ") since " + h.acquired_at + ", lease until " +
         h.expires_at;
}

}  // namespace

LockRequest MakeLockRequest(std::chrono::milliseconds lease) {
  LockRequest r;
  r.run_id = RandomRunId();
  r.user = UserName();
  r.host = HostName();
  r.pid = ::getpid();
  r.lease = lease;
  return r;
}

LockGuard::LockGuard(Driver& driver, LockRequest request, std::chrono::milliseconds wait,
                     const OnWait& on_wait, const std::atomic<bool>* stop)
    : driver_(driver), request_(std::move(request)) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + wait;
  std::mt19937 rng(std::random_device{}());
  std::chrono::milliseconds pause{50};
  bool told = false;
  for (;;) {
    LockAttempt attempt = driver_.TryLock(request_);
    if (attempt.acquired) return;
    if (!told && on_wait && attempt.holder) {
      on_wait(*attempt.holder);
      told = true;
    }
    if (stop && stop->load()) {
      throw Error(ErrorCode::kInterrupted,
                  "interrupted while waiting for the migration lock; nothing was run");
    }
    auto now = Clock::now();
    if (now >= deadline) {
      std::optional<LockHolder> holder = attempt.holder ? attempt.holder : driver_.ReadLock();
      throw Error(ErrorCode::kLockTimeout,
                  "gave up waiting for the migration lock after " + FormatDuration(wait) +
                      ": it is held by " +
                      (holder ? Describe(*holder) : std::string("another runner")) +
                      ". If that process is gone, free the lock with 'migrate unlock'");
    }
    auto jittered = std::chrono::milliseconds(
        std::uniform_int_distribution<long long>(pause.count() / 2, pause.count())(rng));
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    std::this_thread::sleep_for(std::min(jittered, left));
    pause = std::min(pause * 2, std::chrono::milliseconds(500));
  }
}

LockGuard::~LockGuard() { driver_.ReleaseLock(request_); }

}  // namespace migrate
