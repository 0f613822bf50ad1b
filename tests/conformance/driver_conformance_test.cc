// The driver conformance suite: every Driver (the fake, SQLite and PostgreSQL) must pass
// these, so the engine can rely on one contract. Each factory opens connections to one fresh
// database and can let time pass for lease expiry.
#include <algorithm>
#include <catch2/catch.hpp>
#include <thread>

#include "migrate/dialect.h"
#include "migrate/driver.h"
#include "migrate/lock.h"
#include "migrate/planner.h"
#include "postgres/postgres_driver.h"
#include "sqlite/sqlite_driver.h"
#include "support/fake_driver.h"
#include "support/pg.h"
#include "support/temp_dir.h"

using namespace migrate;
using namespace migrate::testing;
using namespace std::chrono_literals;

namespace {

// kSessionLiveness: the database knows whether the holder's session is alive (PostgreSQL's
// advisory lock), so a live holder keeps the lock past its lease and a dead one frees it at
// once; elsewhere the lease alone decides.
// kProgressProbe: the driver offers a ProgressProbe (PostgreSQL); elsewhere it has none.
struct FakeFactory {
  static constexpr bool kSessionLiveness = false;
  static constexpr bool kProgressProbe = false;
  std::shared_ptr<FakeDatabase> db = std::make_shared<FakeDatabase>();
  std::unique_ptr<Driver> Open() { return std::make_unique<FakeDriver>(db); }
  void Expire(std::chrono::milliseconds lease) { db->Advance(lease.count() + 1); }
};

struct SqliteFactory {
  static constexpr bool kSessionLiveness = false;
  static constexpr bool kProgressProbe = false;
  TempDir dir;
  std::unique_ptr<Driver> Open() {
    return sqlite::OpenSqlite(
        {(dir / "conformance.db").string(), TableNames{}, true, 5s, false, false});
  }
  void Expire(std::chrono::milliseconds lease) { std::this_thread::sleep_for(lease + 50ms); }
};

struct PostgresFactory {
  static constexpr bool kSessionLiveness = true;
  static constexpr bool kProgressProbe = true;
  PgDatabase db;
  std::unique_ptr<Driver> Open() { return postgres::OpenPostgres({db.url(), TableNames{}}); }
  void Expire(std::chrono::milliseconds lease) { std::this_thread::sleep_for(lease + 50ms); }
};

// A step as `run` makes it (planner.h's MakeStep) from a bundle entry with an up and a down
// file; the file of `direction` holds `sql`.
Step MakeStep(const Driver& driver, const std::string& version, const std::string& sql,
              Direction direction = Direction::kUp, bool transactional = true) {
  ManifestEntry entry{version, "s" + version, "migrations", {}};
  for (Direction d : {Direction::kUp, Direction::kDown}) {
    ManifestFile f;
    f.name = version + "_s" + version + (d == Direction::kUp ? ".up.sql" : ".down.sql");
    f.direction = d;
    f.sha256 = (d == Direction::kUp ? "sum" : "down") + version;
    f.transaction = transactional;
    entry.files.push_back(f);
  }
  const ManifestFile* file = entry.Find(direction, driver.GetDialect().Name());
  Step s = migrate::MakeStep({&entry, file, direction, nullptr, ""}, sql, driver.GetDialect(), {});
  s.tool_version = "migrate test";
  return s;
}

LockRequest Request(const std::string& run_id, std::chrono::milliseconds lease = 60s) {
  LockRequest r = MakeLockRequest(lease);
  r.run_id = run_id;
  return r;
}

}  // namespace

TEMPLATE_TEST_CASE("conformance: metadata is idempotent and history starts empty",
                   "[conformance][sqlite][postgres]", FakeFactory, SqliteFactory, PostgresFactory) {
  TestType factory;
  auto d = factory.Open();
  CHECK(d->ReadHistory().empty());  // before the tables exist: empty, no error
  CHECK_FALSE(d->ReadLock());
  d->EnsureMetadata();
  d->EnsureMetadata();
  auto other = factory.Open();
  other->EnsureMetadata();
  CHECK(d->ReadHistory().empty());
}

TEMPLATE_TEST_CASE("conformance: apply records history, down removes it",
                   "[conformance][sqlite][postgres]", FakeFactory, SqliteFactory, PostgresFactory) {
  TestType factory;
  auto d = factory.Open();
  d->EnsureMetadata();
  LockRequest me = Request("run-a");
  REQUIRE(d->TryLock(me).acquired);
  d->Apply(MakeStep(*d, "20260101000000000001", "CREATE TABLE t1 (x INT);"), me);
  d->Apply(MakeStep(*d, "3", ""), me);  // an empty file is a recorded no-op
  auto h = d->ReadHistory();
  REQUIRE(h.size() == 2);
  CHECK(h[0].version == "3");  // numeric order, not text order
  CHECK(h[1].version == "20260101000000000001");
  CHECK(h[1].checksum == "sum20260101000000000001");
  CHECK(h[1].down_checksum == "down20260101000000000001");
  CHECK(h[1].state == HistoryState::kApplied);
  CHECK(h[1].applied_by == me.Holder());
  CHECK(h[1].run_id == "run-a");
  CHECK(h[1].tool_version == "migrate test");
  d->Apply(MakeStep(*d, "3", "", Direction::kDown), me);
  REQUIRE(d->ReadHistory().size() == 1);
  // Back-to-back steps on one connection: the second drops what the first created (a
  // statement left open by the driver would make SQLite refuse the DROP).
  d->Apply(MakeStep(*d, "4", "CREATE TABLE t4 (x INT);"), me);
  d->Apply(MakeStep(*d, "4", "DROP TABLE t4;", Direction::kDown), me);
  d->Apply(MakeStep(*d, "20260101000000000001", "DROP TABLE t1;", Direction::kDown), me);
  CHECK(d->ReadHistory().empty());
  d->ReleaseLock(me);
}

TEMPLATE_TEST_CASE("conformance: a failing transactional step leaves nothing",
                   "[conformance][sqlite][postgres]", FakeFactory, SqliteFactory, PostgresFactory) {
  TestType factory;
  auto d = factory.Open();
  d->EnsureMetadata();
  LockRequest me = Request("run-a");
  REQUIRE(d->TryLock(me).acquired);
  Step bad = MakeStep(
      *d, "1", "CREATE TABLE t1 (x INT);\nCREATE TABLE t2 (x INT);\nSELECT * FROM FAIL_missing;\n");
  try {
    d->Apply(bad, me);
    FAIL("expected the step to fail");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kMigrationFailed);
    CHECK(e.where().file == "1_s1.up.sql");
    CHECK(e.where().line == 3);
  }
  CHECK(d->ReadHistory().empty());
  // Nothing of it remains: the same step without the bad statement applies cleanly.
  d->Apply(MakeStep(*d, "1", "CREATE TABLE t1 (x INT);\nCREATE TABLE t2 (x INT);\n"), me);
  CHECK(d->ReadHistory().size() == 1);
}

TEMPLATE_TEST_CASE("conformance: the lock has one holder at a time",
                   "[conformance][sqlite][postgres]", FakeFactory, SqliteFactory, PostgresFactory) {
  TestType factory;
  auto a = factory.Open();
  auto b = factory.Open();
  a->EnsureMetadata();
  LockRequest ra = Request("run-a"), rb = Request("run-b");
  REQUIRE(a->TryLock(ra).acquired);
  CHECK(a->TryLock(ra).acquired);  // re-entrant for the same run
  LockAttempt blocked = b->TryLock(rb);
  CHECK_FALSE(blocked.acquired);
  REQUIRE(blocked.holder);
  CHECK(blocked.holder->run_id == "run-a");
  CHECK(blocked.holder->holder == ra.Holder());
  CHECK_FALSE(blocked.holder->acquired_at.empty());
  b->ReleaseLock(rb);  // not the holder: no effect
  CHECK_FALSE(b->TryLock(rb).acquired);
  a->ReleaseLock(ra);
  a->ReleaseLock(ra);  // twice is harmless
  CHECK(b->TryLock(rb).acquired);
  auto freed = a->ForceUnlock();
  REQUIRE(freed);
  CHECK(freed->run_id == "run-b");
  CHECK_FALSE(a->ReadLock());
}

TEMPLATE_TEST_CASE("conformance: a lease taken over or freed by hand stops the old holder",
                   "[conformance][sqlite][postgres]", FakeFactory, SqliteFactory, PostgresFactory) {
  TestType factory;
  auto a = factory.Open();
  auto b = factory.Open();
  a->EnsureMetadata();
  LockRequest ra = Request("run-a", 200ms), rb = Request("run-b");
  REQUIRE(a->TryLock(ra).acquired);
  factory.Expire(200ms);
  if constexpr (TestType::kSessionLiveness) {
    CHECK_FALSE(b->TryLock(rb).acquired);  // a's session lives: its lock outlasts the lease
    b->ForceUnlock();                      // 'migrate unlock' frees the row by hand...
  } else {
    REQUIRE(b->TryLock(rb).acquired);
  }
  try {
    a->Apply(MakeStep(*a, "1", "CREATE TABLE t1 (x INT);"), ra);
    FAIL("expected the lost lease to stop the step");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kLockLost);  // ...and the old holder never commits again
  }
  CHECK(a->ReadHistory().empty());
  if constexpr (TestType::kSessionLiveness) {
    a.reset();  // the holder's session ends: the lock is free as soon as the server sees it
    bool acquired = false;
    for (int i = 0; i < 50 && !acquired; ++i) {
      acquired = b->TryLock(rb).acquired;
      if (!acquired) std::this_thread::sleep_for(100ms);
    }
    REQUIRE(acquired);
  }
  b->Apply(MakeStep(*b, "1", "CREATE TABLE t1 (x INT);"), rb);
  CHECK(b->ReadHistory().size() == 1);
}

TEMPLATE_TEST_CASE("conformance: a non-transactional step records how far it got",
                   "[conformance][sqlite][postgres]", FakeFactory, SqliteFactory, PostgresFactory) {
  TestType factory;
  auto d = factory.Open();
  d->EnsureMetadata();
  LockRequest me = Request("run-a");
  REQUIRE(d->TryLock(me).acquired);
  Step step = MakeStep(
      *d, "1", "CREATE TABLE t1 (x INT);\nSELECT * FROM FAIL_missing;\nCREATE TABLE t3 (x INT);\n",
      Direction::kUp, false);
  CHECK_THROWS_AS(d->Apply(step, me), Error);
  auto h = d->ReadHistory();
  REQUIRE(h.size() == 1);
  CHECK(h[0].state == HistoryState::kStarted);
  CHECK(h[0].progress == 1);
  d->Repair({"1", RepairAction::kMarkApplied, "", "", "", "marked applied"}, me);
  h = d->ReadHistory();
  REQUIRE(h.size() == 1);
  CHECK(h[0].state == HistoryState::kApplied);
  d->Repair({"1", RepairAction::kForget, "", "", "", "row deleted"}, me);
  CHECK(d->ReadHistory().empty());

  Step good = MakeStep(*d, "2", "CREATE TABLE t4 (x INT);\nCREATE TABLE t5 (x INT);\n",
                       Direction::kUp, false);
  d->Apply(good, me);
  h = d->ReadHistory();
  REQUIRE(h.size() == 1);
  CHECK(h[0].state == HistoryState::kApplied);
}

TEMPLATE_TEST_CASE("conformance: snapshots are stored, the newest read, the oldest pruned",
                   "[conformance][sqlite][postgres]", FakeFactory, SqliteFactory, PostgresFactory) {
  TestType factory;
  auto d = factory.Open();
  CHECK_FALSE(d->ReadSnapshot());  // no schema table yet
  d->EnsureMetadata();
  CHECK_FALSE(d->ReadSnapshot());
  LockRequest me = Request("run-a");
  REQUIRE(d->TryLock(me).acquired);
  for (int i = 1; i <= kSnapshotsKept + 2; ++i) {
    SchemaSnapshot s;
    s.version = std::to_string(i);
    s.event = "run";
    s.sha256 = "sha" + std::to_string(i);
    s.catalog = "table t" + std::to_string(i) + "\n";
    s.audit = i == 1 ? "accepted by a test" : "";
    s.history = "digest" + std::to_string(i);
    d->WriteSnapshot(s, me);
  }
  auto newest = factory.Open()->ReadSnapshot();
  REQUIRE(newest);
  CHECK(newest->version == std::to_string(kSnapshotsKept + 2));
  CHECK(newest->catalog == "table t" + std::to_string(kSnapshotsKept + 2) + "\n");
  CHECK(newest->format == kCatalogFormat);
  CHECK(newest->actor == me.Holder());
  CHECK_FALSE(newest->taken_at.empty());
  CHECK(newest->history == "digest" + std::to_string(kSnapshotsKept + 2));
  d->ReleaseLock(me);
  LockRequest gone = Request("run-gone");
  SchemaSnapshot lost;
  lost.version = "lost";
  CHECK_THROWS_AS(d->WriteSnapshot(lost, gone), Error);               // not the holder
  CHECK(factory.Open()->ReadSnapshot()->version == newest->version);  // and nothing kept
}

TEMPLATE_TEST_CASE("conformance: baselined rows and accepted checksums are recorded",
                   "[conformance][sqlite][postgres]", FakeFactory, SqliteFactory, PostgresFactory) {
  TestType factory;
  auto d = factory.Open();
  d->EnsureMetadata();
  LockRequest me = Request("run-a");
  REQUIRE(d->TryLock(me).acquired);
  Step baselined = MakeStep(*d, "1", "");
  baselined.record_as = HistoryState::kBaseline;
  d->Apply(baselined, me);
  d->Apply(MakeStep(*d, "2", "CREATE TABLE t2 (x INT);"), me);
  auto h = d->ReadHistory();
  REQUIRE(h.size() == 2);
  CHECK(h[0].state == HistoryState::kBaseline);
  CHECK(h[1].state == HistoryState::kApplied);
  d->Repair({"2", RepairAction::kAccept, "new-sum", "new-down", "new-fp", "accepted"}, me);
  h = d->ReadHistory();
  CHECK(h[1].checksum == "new-sum");
  CHECK(h[1].down_checksum == "new-down");
  CHECK(h[1].fingerprint == "new-fp");
  CHECK(h[1].state == HistoryState::kApplied);
}

TEMPLATE_TEST_CASE("conformance: the catalog leaves migrate's own tables out",
                   "[conformance][sqlite][postgres]", SqliteFactory, PostgresFactory) {
  TestType factory;
  auto d = factory.Open();
  d->EnsureMetadata();
  LockRequest me = Request("run-a");
  REQUIRE(d->TryLock(me).acquired);
  d->Apply(MakeStep(*d, "1", "CREATE TABLE t1 (x INT);"), me);
  d->WriteSnapshot(SchemaSnapshot{}, me);
  Catalog c = d->ReadCatalog();
  REQUIRE(c.tables.size() == 1);
  CHECK(c.tables[0].name == "t1");
  REQUIRE(c.tables[0].columns.size() == 1);
  CHECK(c.tables[0].columns[0].name == "x");
}

TEMPLATE_TEST_CASE("conformance: a progress probe reads the statement in progress, if any",
                   "[conformance][sqlite][postgres]", FakeFactory, SqliteFactory, PostgresFactory) {
  TestType factory;
  auto d = factory.Open();
  d->EnsureMetadata();
  LockRequest me = Request("run-a");
  REQUIRE(d->TryLock(me).acquired);
  std::unique_ptr<ProgressProbe> probe = d->OpenProgressProbe();
  if constexpr (!TestType::kProgressProbe) {
    CHECK(probe == nullptr);
  } else {
    REQUIRE(probe != nullptr);
    CHECK(probe->Read().state == "idle");  // between steps
    std::string failed;
    std::thread step([&] {
      try {
        d->Apply(MakeStep(*d, "1", "SELECT pg_sleep(1.5);"), me);
      } catch (const std::exception& e) {
        failed = e.what();
      }
    });
    StatementProgress seen;
    for (int i = 0; i < 100 && seen.wait_event != "PgSleep"; ++i) {
      std::this_thread::sleep_for(20ms);
      seen = probe->Read();
    }
    step.join();
    CHECK(failed.empty());
    CHECK(seen.state == "active");
    CHECK(seen.wait_event_type == "Timeout");
    CHECK(seen.wait_event == "PgSleep");
    CHECK(seen.phase.empty());
    CHECK(seen.blocks_done == -1);
    CHECK(seen.blockers.empty());
    CHECK(d->ReadHistory().size() == 1);
  }
}

TEMPLATE_TEST_CASE("conformance: another tool's table is read as text, a missing one is none",
                   "[conformance][sqlite][postgres]", SqliteFactory, PostgresFactory) {
  TestType factory;
  auto d = factory.Open();
  d->EnsureMetadata();
  LockRequest me = Request("run-a");
  REQUIRE(d->TryLock(me).acquired);
  CHECK_FALSE(d->ReadForeignTable("schema_migrations", {"version", "dirty"}).has_value());
  d->Apply(MakeStep(*d, "1",
                    "CREATE TABLE schema_migrations (version bigint NOT NULL, dirty boolean, "
                    "note text);\n"
                    "INSERT INTO schema_migrations VALUES (20240101000000, false, NULL);\n"
                    "INSERT INTO schema_migrations VALUES (7, true, 'x');\n"),
           me);
  auto rows = d->ReadForeignTable("schema_migrations", {"version", "dirty", "note"});
  REQUIRE(rows.has_value());
  REQUIRE(rows->size() == 2);
  std::sort(rows->begin(), rows->end());
  // Booleans as each database writes them as text: PostgreSQL true/false, SQLite 1/0.
  std::string yes = d->GetDialect().Name() == "postgres" ? "true" : "1";
  std::string no = d->GetDialect().Name() == "postgres" ? "false" : "0";
  CHECK((*rows)[0] == TextRow{"20240101000000", no, std::nullopt});
  CHECK((*rows)[1] == TextRow{"7", yes, "x"});
  CHECK_THROWS_AS(d->ReadForeignTable("schema_migrations", {"version_id"}), Error);
}
