// A ProgressTicker shows a running step's progress while it runs: on a thread of its own it
// calls `show` every `every` (once the step has run `show_after`) with the step, its elapsed
// time and, once it has run `probe_after`, what the driver's ProgressProbe read last (read at
// most every `probe_every`). What it guarantees the run:
//   - nothing waits for the database: the probe is read outside the lock that Begin, End and
//     Locked take, so End returns after at most one `show` in progress, and after End no
//     `show` is made for that step;
//   - a probe that throws is not read again, and `on_probe_error` is called once, under the
//     lock, with its message;
//   - everything `show`, `on_probe_error`, End's `then` and Locked's `print` write is written
//     under one lock: lines never interleave.
// Begin, End and Locked are called from the thread that runs the steps.
#ifndef MIGRATE_CLI_PROGRESS_TICKER_H_
#define MIGRATE_CLI_PROGRESS_TICKER_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "migrate/apply.h"
#include "migrate/progress.h"

namespace migrate::cli {

// What is shown of a running step.
struct RunningStep {
  std::string version;
  std::string slug;
  Direction direction = Direction::kUp;
};

struct Tick {
  const RunningStep& step;
  long long elapsed_ms;
  const std::optional<StatementProgress>& progress;  // nullopt: no probe, or not read yet
};

class ProgressTicker {
 public:
  struct Timing {
    std::chrono::milliseconds every;
    std::chrono::milliseconds show_after;
    std::chrono::milliseconds probe_after;
    std::chrono::milliseconds probe_every;
  };
  using Show = std::function<void(const Tick&)>;
  using OnProbeError = std::function<void(const std::string&)>;

  // `probe` may be null (elapsed time only). The thread starts at the first Begin.
  ProgressTicker(std::unique_ptr<ProgressProbe> probe, Timing timing, Show show,
                 OnProbeError on_probe_error);
  // Stops the thread: waits for a probe read in progress (bounded by the probe's timeouts),
  // then closes the probe.
  ~ProgressTicker();
  ProgressTicker(const ProgressTicker&) = delete;
  ProgressTicker& operator=(const ProgressTicker&) = delete;

  // `step` starts now.
  void Begin(const Step& step);
  // The step ended: no `show` for it from now on; `then` runs under the lock.
  void End(const std::function<void()>& then = {});
  // Runs `print` under the lock.
  void Locked(const std::function<void()>& print);

 private:
  void Loop();
  // Reads the probe when it is time to; called with `lock` held, releases it while reading.
  // Returns false when the step it read for ended meanwhile.
  bool MaybeProbe(std::unique_lock<std::mutex>& lock);

  std::unique_ptr<ProgressProbe> probe_;
  Timing timing_;
  Show show_;
  OnProbeError on_probe_error_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool running_ = false;
  bool probe_failed_ = false;
  unsigned long long generation_ = 0;  // counts Begin calls
  RunningStep step_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point probed_at_;
  std::optional<StatementProgress> progress_;
  std::thread thread_;  // last: started after everything it reads
};

}  // namespace migrate::cli

#endif  // MIGRATE_CLI_PROGRESS_TICKER_H_
