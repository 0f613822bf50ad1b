// The words of the live line and the JSON events of `run --json` (cli/progress_text.h).
#include "cli/progress_text.h"

#include <catch2/catch.hpp>

#include "migrate/redact.h"

using namespace migrate;
using namespace migrate::cli;

namespace {

Step StepNamed(const std::string& version, const std::string& slug) {
  Step s;
  s.version = version;
  s.slug = slug;
  s.file = version + "_" + slug + ".up.sql";
  return s;
}

}  // namespace

TEST_CASE("progress text: elapsed times read as people say them", "[unit]") {
  CHECK(FormatElapsed(0) == "0 ms");
  CHECK(FormatElapsed(850) == "850 ms");
  CHECK(FormatElapsed(12'480) == "12.4 s");
  CHECK(FormatElapsed(185'000) == "3 min 05 s");
  CHECK(FormatElapsed(3'725'000) == "1 h 02 min");
}

TEST_CASE("progress text: an index build says its phase and how far it is", "[unit]") {
  StatementProgress p;
  p.phase = "building index: scanning table";
  p.blocks_done = 1200;
  p.blocks_total = 4425;
  p.wait_event_type = "IO";
  p.wait_event = "DataFileRead";
  CHECK(DescribeProgress(p) == "building index: scanning table, blocks 1200 of 4425 (27%)");
  p.phase = "building index: loading tuples in tree";
  p.blocks_total = 0;
  p.tuples_done = 50;
  p.tuples_total = 200;
  CHECK(DescribeProgress(p) == "building index: loading tuples in tree, tuples 50 of 200 (25%)");
}

TEST_CASE("progress text: a statement waiting for a lock names who holds it", "[unit]") {
  StatementProgress p;
  p.wait_event_type = "Lock";
  p.wait_event = "relation";
  p.waiting_for = "AccessExclusiveLock on t";
  p.blockers = {{4242, 38, "2026-12-02T12:00:00.000Z", "idle in transaction"}};
  CHECK(DescribeProgress(p) ==
        "waiting for a lock held by pid 4242 for 38.0 s (idle in transaction; wants "
        "AccessExclusiveLock on t)");
  p.blockers.push_back({4243, -1, "", ""});
  CHECK_THAT(DescribeProgress(p), Catch::EndsWith(") and 1 more"));
  p.blockers = {{4243, -1, "", ""}};  // another role's session: only its pid is shown
  p.waiting_for.clear();
  CHECK(DescribeProgress(p) == "waiting for a lock held by pid 4243");
  p.blockers.clear();
  CHECK(DescribeProgress(p) == "waiting: Lock/relation");
  CHECK(DescribeProgress(StatementProgress{}).empty());
}

TEST_CASE("progress text: the live line never holds more than the terminal's width", "[unit]") {
  RunningStep step{"20260101000000", "données_énormes", Direction::kUp};
  std::optional<StatementProgress> none;
  CHECK(LiveLine({step, 2500, none}, false, 200) ==
        "  applying  20260101000000  données_énormes  2.5 s");
  CHECK(LiveLine({step, 2500, none}, true, 200) ==
        "  rehearsing 20260101000000  données_énormes  2.5 s");
  // Cut at a code point: 30 characters, the "é" kept whole.
  CHECK(LiveLine({step, 2500, none}, false, 30) == "  applying  20260101000000  do");
  CHECK(LiveLine({step, 2500, none}, false, 33) == "  applying  20260101000000  donné");
  StatementProgress p;
  p.phase = "building index: scanning table";
  std::optional<StatementProgress> some = p;
  RunningStep down{"7", "idx", Direction::kDown};
  CHECK(LiveLine({down, 61'000, some}, false, 200) ==
        "  reverting 7  idx  1 min 01 s  building index: scanning table");
}

TEST_CASE("progress text: events are one JSON line each, errors redacted", "[unit]") {
  Step step = StepNamed("3", "big");
  step.transactional = false;
  Event started = StartedEvent(step);
  CHECK(started["event"] == "started");
  CHECK(started["file"] == "3_big.up.sql");
  CHECK(started["transactional"] == false);
  std::string line = EventLine(started);
  CHECK(line.find('\n') == line.size() - 1);
  CHECK(nlohmann::json::parse(line)["version"] == "3");

  RunningStep running{"3", "big", Direction::kUp};
  StatementProgress p;
  p.phase = "building index: scanning table";
  p.blocks_done = 10;
  p.blockers = {{99, 5, "", "active"}};
  std::optional<StatementProgress> some = p;
  Event progress = ProgressEvent({running, 1500, some});
  CHECK(progress["elapsed_ms"] == 1500);
  CHECK(progress["database"]["phase"] == "building index: scanning table");
  CHECK(progress["database"]["blocks_done"] == 10);
  CHECK(progress["database"]["blocks_total"].is_null());
  CHECK(progress["database"]["blockers"][0]["pid"] == 99);
  std::optional<StatementProgress> none;
  CHECK(ProgressEvent({running, 1500, none})["database"].is_null());

  CHECK(DoneEvent(step, 42)["duration_ms"] == 42);
  RegisterSecret("Canary-pr0gress-5ecret");
  Error e(ErrorCode::kMigrationFailed, "statement failed near Canary-pr0gress-5ecret",
          {"3_big.up.sql", 2, 5}, "42P01");
  Event failed = FailedEvent(step, 77, e);
  CHECK(failed["event"] == "failed");
  CHECK(failed["elapsed_ms"] == 77);
  CHECK(failed["error"]["code"] == ErrorCodeName(ErrorCode::kMigrationFailed));
  CHECK(failed["error"]["exit"] == 1);
  CHECK(failed["error"]["sqlstate"] == "42P01");
  CHECK(failed["error"]["location"] == "3_big.up.sql:2:5");
  CHECK_THAT(EventLine(failed), !Catch::Contains("Canary-pr0gress-5ecret"));
  CHECK(FailedEvent(step, 1, Error(ErrorCode::kLockLost, "lost"))["error"]["sqlstate"].is_null());
}
