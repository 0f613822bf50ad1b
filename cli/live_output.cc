#include "live_output.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <iostream>

#include "migrate/redact.h"
#include "migrate/stopwatch.h"
#include "progress_text.h"
#include "progress_ticker.h"
#include "style.h"

namespace migrate::cli {
namespace {

using namespace std::chrono_literals;

// Clears the terminal's current line: the cursor back to its start, the line erased.
constexpr const char* kClearLine = "\r\033[K";

std::size_t TerminalWidth() {
  struct winsize size {};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 1) return size.ws_col - 1;
  return 79;
}

void NoteProbeFailed(const std::string& message) {
  std::cerr << "migrate: " << Paint(std::cerr, Tone::kWarning, "note:")
            << " live progress from the database is off for this run: " << Redact(message) << "\n";
}

// LineObserver's lines with the live line of the running step between them.
class TerminalLine final : public RunObserver {
 public:
  TerminalLine(const Context& ctx, DryRun dry, std::unique_ptr<ProgressProbe> probe)
      : lines_(ctx, dry),
        ticker_(
            std::move(probe), {250ms, 250ms, 500ms, 500ms},
            [this, dry](const Tick& t) { Draw(LiveLine(t, dry == DryRun::kYes, TerminalWidth())); },
            [this](const std::string& m) {
              Clear();
              NoteProbeFailed(m);
            }) {}
  ~TerminalLine() override {
    ticker_.End([this] { Clear(); });
  }

  void OnLockWait(const LockHolder& h) override {
    ticker_.Locked([&] {
      Clear();
      lines_.OnLockWait(h);
    });
  }
  void OnStepStart(const Step& step) override { ticker_.Begin(step); }
  void OnStepDone(const Step& step, long long ms) override {
    ticker_.End([&] {
      Clear();
      lines_.OnStepDone(step, ms);
    });
  }
  void OnStepFailed(const Step&, const Error&) override {
    ticker_.End([this] { Clear(); });
  }
  void OnNotice(const Finding& f) override {
    ticker_.Locked([&] {
      Clear();
      lines_.OnNotice(f);
    });
  }
  void OnSchemaDrift(const DriftReport& report) override {
    ticker_.Locked([&] {
      Clear();
      lines_.OnSchemaDrift(report);
    });
  }
  void OnWarning(const std::string& message) override {
    ticker_.Locked([&] {
      Clear();
      lines_.OnWarning(message);
    });
  }

 private:
  // Called under the ticker's lock, as Clear is.
  void Draw(const std::string& line) {
    std::cout << kClearLine << line << std::flush;
    drawn_ = true;
  }
  void Clear() {
    if (drawn_) std::cout << kClearLine << std::flush;
    drawn_ = false;
  }

  LineObserver lines_;
  bool drawn_ = false;
  ProgressTicker ticker_;  // last: its thread stops before the rest goes
};

// One JSON event a line; warnings and notes still go to stderr, as LineObserver writes them.
class JsonEvents final : public RunObserver {
 public:
  JsonEvents(const Context& ctx, DryRun dry, std::unique_ptr<ProgressProbe> probe)
      : lines_(ctx, dry),
        ticker_(
            std::move(probe), {1s, 1s, 1s, 1s}, [](const Tick& t) { Print(ProgressEvent(t)); },
            NoteProbeFailed) {}

  void OnStepStart(const Step& step) override {
    started_ = std::chrono::steady_clock::now();
    ticker_.Locked([&] { Print(StartedEvent(step)); });
    ticker_.Begin(step);
  }
  void OnStepDone(const Step& step, long long ms) override {
    ticker_.End([&] { Print(DoneEvent(step, ms)); });
  }
  void OnStepFailed(const Step& step, const Error& error) override {
    ticker_.End([&] { Print(FailedEvent(step, MillisSince(started_), error)); });
  }
  void OnNotice(const Finding& f) override {
    ticker_.Locked([&] { lines_.OnNotice(f); });
  }
  void OnSchemaDrift(const DriftReport& report) override {
    ticker_.Locked([&] { lines_.OnSchemaDrift(report); });
  }
  void OnWarning(const std::string& message) override {
    ticker_.Locked([&] { lines_.OnWarning(message); });
  }

 private:
  static void Print(const Event& event) { std::cout << EventLine(event) << std::flush; }

  LineObserver lines_;
  std::chrono::steady_clock::time_point started_;
  ProgressTicker ticker_;  // last: its thread stops before the rest goes
};

}  // namespace

std::unique_ptr<RunObserver> MakeRunObserver(const Context& ctx, DryRun dry, Driver& driver) {
  if (ctx.options().json) return std::make_unique<JsonEvents>(ctx, dry, driver.OpenProgressProbe());
  if (!ctx.options().quiet && ::isatty(STDOUT_FILENO)) {
    return std::make_unique<TerminalLine>(ctx, dry, driver.OpenProgressProbe());
  }
  return std::make_unique<LineObserver>(ctx, dry);
}

}  // namespace migrate::cli
