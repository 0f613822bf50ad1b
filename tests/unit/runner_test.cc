#include "migrate/runner.h"

#include <catch2/catch.hpp>

#include "support/bundle_fixture.h"
#include "support/fake_driver.h"

using namespace migrate;
using namespace migrate::testing;
using namespace std::chrono_literals;

namespace {

const std::map<std::string, std::string> kThree = {
    {"1_a.up.sql", "CREATE TABLE a (x);"},
    {"1_a.down.sql", "DROP TABLE a;"},
    {"2_b.up.sql", "CREATE TABLE b (x);\nINSERT INTO b VALUES (1);"},
    {"2_b.down.sql", "DROP TABLE b;"},
    {"3_c.up.sql", "CREATE TABLE c (x);"},
    {"3_c.down.sql", "DROP TABLE c;"},
};

struct Recorder : RunObserver {
  std::vector<std::string> done;
  int waits = 0;
  void OnLockWait(const LockHolder&) override { ++waits; }
  void OnStepDone(const Step& s, long long) override { done.push_back(s.version); }
};

// A bundle on disk and a fake database behind a driver.
struct Fixture {
  explicit Fixture(const std::map<std::string, std::string>& files = kThree)
      : bundle(MakeBundle(dir, files)) {}
  TempDir dir;
  Bundle bundle;
  std::shared_ptr<FakeDatabase> db = std::make_shared<FakeDatabase>();
  FakeDriver driver{db};
  Recorder rec;
};

}  // namespace

TEST_CASE("runner applies pending migrations in order and releases the lock", "[unit]") {
  Fixture f;
  auto& [dir, bundle, db, driver, rec] = f;
  RunResult r = RunUp(driver, bundle, RunOptions{}, rec);
  CHECK(r.steps.size() == 3);
  CHECK(rec.done == std::vector<std::string>{"1", "2", "3"});
  CHECK(db->executed.size() == 4);
  CHECK(db->executed[2] == "INSERT INTO b VALUES (1);");
  CHECK_FALSE(db->lock);
  CHECK(RunUp(driver, bundle, RunOptions{}, rec).steps.empty());

  RunResult down = RunDown(driver, bundle, {DownTarget::Mode::kAll, 1, ""}, RunOptions{}, rec);
  CHECK(down.steps.size() == 3);
  CHECK(db->history.empty());
}

TEST_CASE("a failing migration stops the run, earlier ones stay applied", "[unit]") {
  auto files = kThree;
  files["2_b.up.sql"] = "CREATE TABLE b (x);\nSELECT FAIL;";
  Fixture f(files);
  auto& [dir, bundle, db, driver, rec] = f;
  try {
    RunUp(driver, bundle, RunOptions{}, rec);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kMigrationFailed);
    CHECK(e.where().ToString() == "2_b.up.sql:2:1");
  }
  REQUIRE(db->history.size() == 1);
  CHECK(db->history[0].version == "1");
  CHECK_FALSE(db->lock);  // released on the error path too
}

TEST_CASE("a held lock makes the runner wait, then fail naming the holder", "[unit]") {
  Fixture f;
  auto& [dir, bundle, db, driver, rec] = f;
  db->lock = LockHolder{"ops@build-7:4242", "feedc0de", "2026-01-01T00:00:00Z", "never"};
  db->lock_expires_ms = db->now_ms + 3'600'000;
  RunOptions options;
  options.lock_wait = 300ms;
  try {
    RunUp(driver, bundle, options, rec);
    FAIL("expected a lock timeout");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kLockTimeout);
    CHECK_THAT(e.what(), Catch::Contains("ops@build-7:4242"));
    CHECK_THAT(e.what(), Catch::Contains("migrate unlock"));
  }
  CHECK(rec.waits == 1);
  CHECK(db->lock_attempts > 1);
  CHECK(db->history.empty());
  CHECK(db->lock->holder == "ops@build-7:4242");  // never freed by the waiter

  db->Advance(3'600'001);  // the lease runs out: the next runner takes over
  CHECK(RunUp(driver, bundle, options, rec).steps.size() == 3);
}

TEST_CASE("drift and interrupted migrations stop a run before anything runs", "[unit]") {
  Fixture f;
  auto& [dir, bundle, db, driver, rec] = f;
  db->history.push_back(
      {"1", "a", "not-the-checksum", "", HistoryState::kApplied, "", 0, "", "", "", 1, ""});
  try {
    RunUp(driver, bundle, RunOptions{}, rec);
    FAIL("expected drift");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kDrift);
    CHECK_THAT(e.what(), Catch::Contains("1_a.up.sql changed after it was applied"));
  }
  db->history[0].checksum = bundle.manifest().migrations[0].Find(Direction::kUp, "sqlite")->sha256;
  db->history[0].state = HistoryState::kStarted;
  CHECK_THROWS_MATCHES(
      RunUp(driver, bundle, RunOptions{}, rec), Error,
      Catch::Predicate<Error>([](const Error& e) { return e.code() == ErrorCode::kNeedsRepair; }));
  CHECK(db->executed.empty());
}

TEST_CASE("dry run rehearses without locking or recording", "[unit]") {
  Fixture f;
  auto& [dir, bundle, db, driver, rec] = f;
  RunOptions options;
  options.dry_run = true;
  CHECK(RunUp(driver, bundle, options, rec).steps.size() == 3);
  CHECK(db->rehearsals == 1);
  CHECK(db->history.empty());
  CHECK(db->lock_attempts == 0);
  CHECK(db->executed.empty());  // rolled back
}

TEST_CASE("status lists applied, pending and missing migrations", "[unit]") {
  Fixture f;
  auto& [dir, bundle, db, driver, rec] = f;
  RunOptions options;
  options.to = "1";
  RunUp(driver, bundle, options, rec);
  db->history.push_back({"9", "gone", "x", "", HistoryState::kApplied, "", 0, "", "", "", 1, ""});
  StatusReport s = GetStatus(driver, bundle);
  REQUIRE(s.entries.size() == 4);
  CHECK(s.entries[0].state == StatusEntry::State::kApplied);
  CHECK(s.entries[1].state == StatusEntry::State::kPending);
  CHECK(s.entries[3].state == StatusEntry::State::kMissing);
  CHECK(s.findings.size() == 3);  // 9 is missing; 2 and 3 are now older than 9
}

TEST_CASE("a complete database: run and status read the history and the header only", "[unit]") {
  Fixture f;
  auto& [dir, bundle, db, driver, rec] = f;
  RunUp(driver, bundle, RunOptions{}, rec);
  // Another runner holds the lock: a no-op run neither waits for it nor writes.
  db->lock = LockHolder{"ops@build-7:4242", "feedc0de", "2026-01-01T00:00:00Z", "never"};
  db->lock_expires_ms = db->now_ms + 3'600'000;
  int attempts = db->lock_attempts;
  Bundle fresh = Bundle::Open(dir / "dist", Bundle::Verify::kListing);
  // The entries are never read on this path: a manifest replaced after Open goes unnoticed
  // by a no-op and is refused as soon as anything would read them.
  std::string manifest = ReadFile(dir / "dist/manifest.toml");
  WriteFile(dir / "dist/manifest.toml", "# replaced\n" + manifest);
  RunOptions options;
  options.lock_wait = 3600s;
  CHECK(RunUp(driver, fresh, options, rec).steps.empty());
  CHECK(db->lock_attempts == attempts);
  CHECK(rec.waits == 0);
  StatusReport fast = GetStatus(driver, fresh);
  REQUIRE(fast.entries.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    const ManifestEntry& e = bundle.manifest().migrations[i];
    CHECK(fast.entries[i].state == StatusEntry::State::kApplied);
    CHECK(fast.entries[i].version == e.version);
    CHECK(fast.entries[i].slug == e.slug);
    REQUIRE(fast.entries[i].row);
    CHECK(fast.entries[i].row->checksum == e.Find(Direction::kUp, "sqlite")->sha256);
  }
  CHECK(fast.findings.empty());
  REQUIRE(fast.lock);
  CHECK(fast.lock->holder == "ops@build-7:4242");
  // One pending migration (a row removed by hand): the full plan reads the entries, before
  // it creates tables or takes the lock.
  db->history.pop_back();
  try {
    RunUp(driver, fresh, options, rec);
    FAIL("expected the replaced manifest to be refused");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kCorruptBundle);
    CHECK_THAT(e.what(), Catch::Contains("manifest.toml"));
  }
  CHECK(db->lock_attempts == attempts);
  WriteFile(dir / "dist/manifest.toml", manifest);
  options.lock_wait = 1ms;
  CHECK_THROWS_AS(RunUp(driver, Bundle::Open(dir / "dist", Bundle::Verify::kListing), options, rec),
                  Error);
  CHECK(db->lock_attempts > attempts);
}

TEST_CASE("a stop request ends a lock wait at once, and stops between migrations", "[unit]") {
  Fixture f;
  auto& [dir, bundle, db, driver, rec] = f;
  db->lock = LockHolder{"ops@build-7:4242", "feedc0de", "2026-01-01T00:00:00Z", "never"};
  db->lock_expires_ms = db->now_ms + 3'600'000;
  std::atomic<bool> stop{true};
  RunOptions options;
  options.lock_wait = 60s;
  options.stop = &stop;
  auto t0 = std::chrono::steady_clock::now();
  CHECK_THROWS_MATCHES(
      RunUp(driver, bundle, options, rec), Error,
      Catch::Predicate<Error>([](const Error& e) { return e.code() == ErrorCode::kInterrupted; }));
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);

  db->lock.reset();  // free now: the run takes the lock, then stops before the first step
  CHECK_THROWS_WITH(RunUp(driver, bundle, options, rec), Catch::Contains("stopped before 1_a"));
  CHECK(db->history.empty());
  CHECK_FALSE(db->lock);
}

TEST_CASE("single_transaction: all or nothing, and a no-transaction step refused up front",
          "[unit]") {
  auto files = kThree;
  files["3_c.up.sql"] = "CREATE TABLE c (x);\nFAIL;";
  Fixture f(files);
  auto& [dir, bundle, db, driver, rec] = f;
  RunOptions single;
  single.single_transaction = true;
  CHECK_THROWS_AS(RunUp(driver, bundle, single, rec), Error);
  CHECK(db->history.empty());  // 1 and 2 were rolled back with 3
  CHECK(db->executed.empty());
  CHECK(rec.done.empty());
  CHECK_FALSE(db->lock);

  auto no_tx = kThree;
  no_tx["2_b.up.sql"] = "-- migrate:no-transaction\nCREATE TABLE b (x);";
  Fixture g(no_tx);
  try {
    RunUp(g.driver, g.bundle, single, g.rec);
    FAIL("a no-transaction step ran in a single transaction");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kUsage);
    CHECK_THAT(e.what(), Catch::Contains("2_b.up.sql: '-- migrate:no-transaction' cannot run"));
  }
  CHECK(g.db->executed.empty());
  CHECK(g.db->history.empty());

  Fixture ok;
  RunResult r = RunUp(ok.driver, ok.bundle, single, ok.rec);
  CHECK(r.steps.size() == 3);
  CHECK(ok.rec.done == std::vector<std::string>{"1", "2", "3"});
  CHECK(ok.db->history.size() == 3);
}
