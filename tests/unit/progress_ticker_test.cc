// The live progress ticker (cli/progress_ticker.h): shows while a step runs and never after,
// never makes the run wait for the probe, and drops a failing probe with one note.
#include "cli/progress_ticker.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "migrate/error.h"
#include "migrate/stopwatch.h"

using namespace migrate;
using namespace migrate::cli;
using namespace std::chrono_literals;

namespace {

// How a FakeProbe fails: not, with a migrate::Error, or with something no std::exception is.
enum class Fails { kNo, kError, kOther };

// A probe whose readings advance by one block each time, that can be slow or fail.
class FakeProbe final : public ProgressProbe {
 public:
  FakeProbe(std::atomic<int>& reads, std::chrono::milliseconds delay, Fails fail)
      : reads_(reads), delay_(delay), fail_(fail) {}
  StatementProgress Read() override {
    int n = ++reads_;
    std::this_thread::sleep_for(delay_);
    if (fail_ == Fails::kError) {
      throw Error(ErrorCode::kConnection, "cannot connect: too many connections");
    }
    if (fail_ == Fails::kOther) throw 42;
    StatementProgress p;
    p.phase = "building index: scanning table";
    p.blocks_done = n;
    p.blocks_total = 1000;
    return p;
  }

 private:
  std::atomic<int>& reads_;
  std::chrono::milliseconds delay_;
  Fails fail_;
};

// What the ticker showed, gathered under its lock.
struct Shown {
  std::vector<long long> blocks;  // -1 for a tick without a reading
  std::vector<std::string> errors;
  std::size_t Count() const { return blocks.size(); }
};

Step Named(const std::string& version) {
  Step s;
  s.version = version;
  s.slug = "s" + version;
  return s;
}

ProgressTicker MakeTicker(std::unique_ptr<ProgressProbe> probe, ProgressTicker::Timing timing,
                          Shown& shown) {
  return ProgressTicker(
      std::move(probe), timing,
      [&shown](const Tick& t) {
        shown.blocks.push_back(t.progress ? t.progress->blocks_done : -1);
      },
      [&shown](const std::string& m) { shown.errors.push_back(m); });
}

// Waits (up to 5 s) until `ready`, read under the ticker's lock, holds.
bool WaitFor(ProgressTicker& ticker, const std::function<bool()>& ready) {
  for (int i = 0; i < 500; ++i) {
    bool ok = false;
    ticker.Locked([&] { ok = ready(); });
    if (ok) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

}  // namespace

TEST_CASE("progress ticker: readings advance while a step runs, and stop at its end", "[unit]") {
  std::atomic<int> reads{0};
  Shown shown;
  ProgressTicker ticker =
      MakeTicker(std::make_unique<FakeProbe>(reads, 0ms, Fails::kNo), {10ms, 0ms, 0ms, 0ms}, shown);
  ticker.Begin(Named("1"));
  REQUIRE(WaitFor(ticker, [&] { return shown.Count() >= 3; }));
  std::size_t at_end = 0;
  ticker.End([&] { at_end = shown.Count(); });
  std::this_thread::sleep_for(100ms);
  ticker.Locked([&] {
    CHECK(shown.Count() == at_end);
    CHECK(shown.blocks.front() >= 1);
    CHECK(shown.blocks.back() > shown.blocks.front());
    CHECK(shown.errors.empty());
  });
}

TEST_CASE("progress ticker: nothing is shown of a step quicker than show_after", "[unit]") {
  std::atomic<int> reads{0};
  Shown shown;
  {
    ProgressTicker ticker =
        MakeTicker(std::make_unique<FakeProbe>(reads, 0ms, Fails::kNo), {5ms, 10s, 10s, 1s}, shown);
    for (int i = 0; i < 5; ++i) {
      ticker.Begin(Named(std::to_string(i)));
      std::this_thread::sleep_for(20ms);
      ticker.End();
    }
  }
  CHECK(shown.Count() == 0);
  CHECK(reads == 0);  // the probe never connected
}

TEST_CASE("progress ticker: a slow probe never holds up the end of a step", "[unit]") {
  std::atomic<int> reads{0};
  Shown shown;
  ProgressTicker ticker = MakeTicker(std::make_unique<FakeProbe>(reads, 600ms, Fails::kNo),
                                     {10ms, 0ms, 0ms, 0ms}, shown);
  ticker.Begin(Named("1"));
  for (int i = 0; i < 500 && reads == 0; ++i) std::this_thread::sleep_for(5ms);
  REQUIRE(reads == 1);  // a read is in progress, for 600 ms
  auto t0 = std::chrono::steady_clock::now();
  ticker.End();
  CHECK(MillisSince(t0) < 300);
  std::this_thread::sleep_for(800ms);  // the read returns: its step is over, nothing shown
  ticker.Locked([&] { CHECK(shown.Count() == 0); });
}

TEST_CASE("progress ticker: a failing probe is read once and reported once", "[unit]") {
  bool other = GENERATE(false, true);  // a migrate::Error, or something no std::exception is
  std::atomic<int> reads{0};
  Shown shown;
  ProgressTicker ticker =
      MakeTicker(std::make_unique<FakeProbe>(reads, 0ms, other ? Fails::kOther : Fails::kError),
                 {10ms, 0ms, 0ms, 0ms}, shown);
  ticker.Begin(Named("1"));
  REQUIRE(WaitFor(ticker, [&] { return shown.Count() >= 5; }));
  ticker.End();
  ticker.Begin(Named("2"));
  REQUIRE(WaitFor(ticker, [&] { return shown.Count() >= 10; }));
  ticker.End();
  CHECK(reads == 1);
  ticker.Locked([&] {
    REQUIRE(shown.errors.size() == 1);
    CHECK_THAT(shown.errors[0],
               Catch::Contains(other ? "the progress probe failed" : "too many connections"));
    for (long long b : shown.blocks) CHECK(b == -1);  // elapsed time only
  });
}
