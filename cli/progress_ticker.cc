#include "progress_ticker.h"

#include "migrate/stopwatch.h"

namespace migrate::cli {

ProgressTicker::ProgressTicker(std::unique_ptr<ProgressProbe> probe, Timing timing, Show show,
                               OnProbeError on_probe_error)
    : probe_(std::move(probe)),
      timing_(timing),
      show_(std::move(show)),
      on_probe_error_(std::move(on_probe_error)) {}

ProgressTicker::~ProgressTicker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ProgressTicker::Begin(const Step& step) {
  std::lock_guard<std::mutex> lock(mutex_);
  running_ = true;
  ++generation_;
  step_ = {step.version, step.slug, step.direction};
  started_ = std::chrono::steady_clock::now();
  probed_at_ = {};
  progress_.reset();
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
}

void ProgressTicker::End(const std::function<void()>& then) {
  std::lock_guard<std::mutex> lock(mutex_);
  running_ = false;
  if (then) then();
}

void ProgressTicker::Locked(const std::function<void()>& print) {
  std::lock_guard<std::mutex> lock(mutex_);
  print();
}

bool ProgressTicker::MaybeProbe(std::unique_lock<std::mutex>& lock) {
  auto now = std::chrono::steady_clock::now();
  if (!probe_ || probe_failed_ || now - started_ < timing_.probe_after ||
      now - probed_at_ < timing_.probe_every) {
    return true;
  }
  probed_at_ = now;
  unsigned long long generation = generation_;
  std::optional<StatementProgress> read;
  std::optional<std::string> error;
  lock.unlock();
  try {
    read = probe_->Read();
  } catch (const std::exception& e) {
    error = e.what();
  } catch (...) {  // on this thread an escaping exception would end the process mid-migration
    error = "the progress probe failed";
  }
  lock.lock();
  if (error) {
    probe_failed_ = true;
    on_probe_error_(*error);
  }
  if (stopping_ || !running_ || generation != generation_) return false;
  if (read) progress_ = std::move(read);
  return true;
}

void ProgressTicker::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, timing_.every);
    if (stopping_ || !running_) continue;
    if (std::chrono::steady_clock::now() - started_ < timing_.show_after) continue;
    if (!MaybeProbe(lock)) continue;
    show_(Tick{step_, MillisSince(started_), progress_});
  }
}

}  // namespace migrate::cli
