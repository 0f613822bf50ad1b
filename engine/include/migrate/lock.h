// The lock protocol of docs/design.md §5, on top of Driver::TryLock: a waiter polls with jitter
// until it gets the lock row or its wait runs out, then fails naming the holder. The lease is
// renewed inside every migration's own transaction (Driver::Apply), so a runner that lost
// its lease never commits again. LockGuard releases the lock when it goes out of scope.
#ifndef MIGRATE_LOCK_H_
#define MIGRATE_LOCK_H_

#include <atomic>
#include <chrono>
#include <functional>

#include "migrate/driver.h"

namespace migrate {

// A LockRequest for this process: a fresh random run id, the OS user, host name and pid.
LockRequest MakeLockRequest(std::chrono::milliseconds lease);

class LockGuard {
 public:
  // Called once, when the first attempt finds the lock held.
  using OnWait = std::function<void(const LockHolder&)>;

  // Takes the lock, polling every 50-500 ms (with jitter) for up to `wait`.
  // Throws Error(kLockTimeout) naming the holder when `wait` runs out, and
  // Error(kInterrupted) as soon as `stop` (if given) is set while waiting.
  LockGuard(Driver& driver, LockRequest request, std::chrono::milliseconds wait,
            const OnWait& on_wait = {}, const std::atomic<bool>* stop = nullptr);
  ~LockGuard();
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

  const LockRequest& request() const { return request_; }

 private:
  Driver& driver_;
  LockRequest request_;
};

}  // namespace migrate

#endif  // MIGRATE_LOCK_H_
