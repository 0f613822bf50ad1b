// Schema snapshots, the drift gate, baseline and the two ways to accept a reviewed change, on
// the fake driver: the engine's decisions without a database.
#include "migrate/drift.h"

#include <catch2/catch.hpp>

#include "migrate/baseline.h"
#include "migrate/runner.h"
#include "support/bundle_fixture.h"
#include "support/fake_driver.h"

using namespace migrate;
using namespace migrate::testing;

namespace {

const std::map<std::string, std::string> kThree = {
    {"1_a.up.sql", "CREATE TABLE a (x);"}, {"1_a.down.sql", "DROP TABLE a;"},
    {"2_b.up.sql", "CREATE TABLE b (x);"}, {"2_b.down.sql", "DROP TABLE b;"},
    {"3_c.up.sql", "CREATE TABLE c (x);"}, {"3_c.down.sql", "DROP TABLE c;"},
};

CatalogTable Table(const std::string& name) {
  CatalogTable t;
  t.name = name;
  t.kind = "table";
  return t;
}

struct Watcher : RunObserver {
  std::vector<DriftReport> drifts;
  std::vector<Step> started;
  std::vector<std::string> warnings;
  void OnSchemaDrift(const DriftReport& r) override { drifts.push_back(r); }
  void OnWarning(const std::string& m) override { warnings.push_back(m); }
  void OnStepStart(const Step& s) override { started.push_back(s); }
};

struct Fixture {
  explicit Fixture(const std::map<std::string, std::string>& files = kThree)
      : bundle(MakeBundle(dir, files)) {
    db->catalog.tables = {Table("a")};
  }
  TempDir dir;
  Bundle bundle;
  std::shared_ptr<FakeDatabase> db = std::make_shared<FakeDatabase>();
  FakeDriver driver{db};
  Watcher watch;

  RunResult Up(RunOptions options = {}, std::optional<std::string> to = std::nullopt) {
    options.to = std::move(to);
    return RunUp(driver, bundle, options, watch);
  }
};

ErrorCode CodeOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  FAIL("expected an error");
  return ErrorCode::kInternal;
}

}  // namespace

TEST_CASE("a run records the schema it left, and a changed schema stops the next run", "[unit]") {
  Fixture f;
  f.Up({}, "1");
  REQUIRE(f.db->snapshots.size() == 1);
  CHECK(f.db->snapshots[0].event == "run");
  CHECK(f.db->snapshots[0].version == "1");
  CHECK(f.db->snapshots[0].catalog == "table a\n");
  CHECK_FALSE(CheckDrift(f.driver, f.driver.ReadHistory()).Drifted());

  f.db->catalog.tables.push_back(Table("hotfix"));  // made by hand
  DriftReport report = CheckDrift(f.driver, f.driver.ReadHistory());
  REQUIRE(report.Drifted());
  CHECK(RenderDiff(report.changes) == "+ table hotfix\n");
  try {
    f.Up();
    FAIL("expected the drift to stop the run");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kDrift);
    CHECK_THAT(e.what(), Catch::Contains("+ table hotfix") && Catch::Contains("nothing was run"));
  }
  CHECK(f.db->history.size() == 1);  // nothing ran
  CHECK_FALSE(f.db->lock);

  RunOptions warn;
  warn.schema_drift = SchemaDriftPolicy::kWarn;
  CHECK(f.Up(warn).steps.size() == 2);
  REQUIRE(f.watch.drifts.size() == 1);
  CHECK(f.watch.drifts[0].changes.size() == 1);
  CHECK(f.db->snapshots.back().version == "3");
  CHECK_FALSE(CheckDrift(f.driver, f.driver.ReadHistory())
                  .Drifted());  // the new snapshot has the hand-made table
}

TEST_CASE("a snapshot older than the history is not compared: the run warns and goes on",
          "[unit]") {
  Fixture f;
  f.Up({}, "1");
  // Migration 2 applied by a run killed after its commit, before its snapshot (or by a psql
  // script of 'plan --format sql'): the history moved, the snapshot did not.
  f.Up({}, "2");
  f.db->snapshots.pop_back();
  f.db->catalog.tables.push_back(Table("b"));
  DriftReport stale = CheckDrift(f.driver, f.driver.ReadHistory());
  CHECK(stale.comparison == DriftReport::Comparison::kStale);
  CHECK_FALSE(stale.Drifted());
  CHECK_THAT(stale.WhyNotCompared(), Catch::Contains("history changed"));

  CHECK(f.Up().steps.size() == 1);  // 3, not refused as drift
  REQUIRE(f.watch.warnings.size() == 1);
  CHECK_THAT(f.watch.warnings[0], Catch::Contains("not checked for drift"));
  CHECK(f.db->snapshots.back().version == "3");
  DriftReport after = CheckDrift(f.driver, f.driver.ReadHistory());
  CHECK(after.comparison == DriftReport::Comparison::kCompared);
  CHECK_FALSE(after.Drifted());
}

TEST_CASE("with schema_drift warn, the snapshot after the run logs the drift it took over",
          "[unit]") {
  Fixture f;
  f.Up({}, "1");
  f.db->catalog.tables.push_back(Table("hotfix"));
  RunOptions warn;
  warn.schema_drift = SchemaDriftPolicy::kWarn;
  CHECK(f.Up(warn, "2").steps.size() == 1);
  CHECK_THAT(f.db->snapshots.back().audit, Catch::Contains("took over 1 change(s)"));
  CHECK(f.Up(warn).steps.size() == 1);  // no drift now: the snapshot has the hotfix
  CHECK(f.db->snapshots.back().audit.empty());
}

TEST_CASE("schema_drift off skips the check, and a no-op run reads no schema", "[unit]") {
  Fixture f;
  f.Up({}, "1");
  f.db->catalog.tables.push_back(Table("hotfix"));
  RunOptions off;
  off.schema_drift = SchemaDriftPolicy::kOff;
  int reads = f.db->catalog_reads;
  CHECK(f.Up(off).steps.size() == 2);
  CHECK(f.db->catalog_reads == reads + 1);  // the snapshot after the run, no check before
  reads = f.db->catalog_reads;
  CHECK(f.Up().steps.empty());
  CHECK(f.db->catalog_reads == reads);
  CHECK(f.db->lock_attempts > 0);
}

TEST_CASE("a run whose last step failed still records the schema the others left", "[unit]") {
  auto files = kThree;
  files["3_c.up.sql"] = "SELECT FAIL;";
  Fixture f(files);
  CHECK(CodeOf([&] { f.Up(); }) == ErrorCode::kMigrationFailed);
  REQUIRE(f.db->snapshots.size() == 1);
  CHECK(f.db->snapshots[0].version == "2");
}

TEST_CASE("an older pending migration runs only with --allow-out-of-order, and says so", "[unit]") {
  auto two = kThree;
  two.erase("2_b.up.sql");
  two.erase("2_b.down.sql");
  Fixture f(two);
  f.Up();
  TempDir later;
  Bundle all = MakeBundle(later, kThree);
  RunOptions options;
  CHECK(CodeOf([&] { RunUp(f.driver, all, options, f.watch); }) == ErrorCode::kDrift);
  options.allow_out_of_order = true;
  CHECK(RunUp(f.driver, all, options, f.watch).steps.size() == 1);
  REQUIRE(f.watch.started.size() == 3);
  CHECK(f.watch.started.back().version == "2");
  CHECK_THAT(f.watch.started.back().log_detail, Catch::Contains("older than the newest applied"));
}

TEST_CASE("baseline records migrations as baselined without running them", "[unit]") {
  Fixture f;
  RunResult r = RunBaseline(f.driver, f.bundle, "2", RunOptions{});
  CHECK(r.steps.size() == 2);
  REQUIRE(f.db->history.size() == 2);
  CHECK(f.db->history[0].state == HistoryState::kBaseline);
  CHECK(f.db->executed.empty());
  CHECK(f.db->snapshots.back().event == "baseline");
  CHECK(f.Up().steps.size() == 1);  // only what comes after
  CHECK(CodeOf([&] { RunBaseline(f.driver, f.bundle, "3", RunOptions{}); }) == ErrorCode::kUsage);
  Fixture g;
  CHECK(CodeOf([&] { RunBaseline(g.driver, g.bundle, "9", RunOptions{}); }) == ErrorCode::kUsage);
  CHECK(g.db->history.empty());
}

TEST_CASE("baseline --check compares the database with what the migrations build", "[unit]") {
  Fixture f;
  auto scratch_db = std::make_shared<FakeDatabase>();
  scratch_db->catalog.tables = {Table("a"), Table("b")};
  FakeDriver scratch(scratch_db);
  std::vector<CatalogChange> changes = CompareWithMigrations(f.driver, scratch, f.bundle, "2");
  CHECK(RenderDiff(changes) == "- table b\n");  // the database lacks it
  CHECK(scratch_db->history.size() == 2);       // the migrations ran on the scratch one
}

TEST_CASE("repair --accept records an edited applied file, drift --accept the live schema",
          "[unit]") {
  Fixture f;
  f.Up();
  auto edited = kThree;
  edited["2_b.up.sql"] = "CREATE TABLE b (x, y);";
  TempDir later;
  Bundle changed = MakeBundle(later, edited);
  RunOptions options;
  CHECK(CodeOf([&] { RunUp(f.driver, changed, options, f.watch); }) == ErrorCode::kDrift);
  RunAccept(f.driver, changed, "2", options);
  CHECK(RunUp(f.driver, changed, options, f.watch).steps.empty());
  CHECK(CodeOf([&] { RunAccept(f.driver, changed, "2", options); }) == ErrorCode::kUsage);
  CHECK(CodeOf([&] { RunAccept(f.driver, changed, "7", options); }) == ErrorCode::kUsage);

  f.db->catalog.tables.push_back(Table("hotfix"));
  DriftReport accepted = AcceptSchema(f.driver, options);
  CHECK(accepted.changes.size() == 1);
  CHECK(f.db->snapshots.back().event == "accept");
  CHECK_THAT(f.db->snapshots.back().audit, Catch::Contains("1 change(s)"));
  CHECK_FALSE(CheckDrift(f.driver, f.driver.ReadHistory()).Drifted());
  std::size_t taken = f.db->snapshots.size();
  CHECK(AcceptSchema(f.driver, options).changes.empty());  // nothing new: nothing written
  CHECK(f.db->snapshots.size() == taken);
}
