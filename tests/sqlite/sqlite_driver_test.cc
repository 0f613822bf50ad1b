// SQLite driver behaviour beyond the conformance suite, on real database files.
#include "sqlite/sqlite_driver.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>

#include "migrate/lock.h"
#include "migrate/runner.h"
#include "support/bundle_fixture.h"

using namespace migrate;
using namespace migrate::testing;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<Driver> Open(const TempDir& dir, TableNames tables = {}) {
  return sqlite::OpenSqlite({(dir / "test.db").string(), tables, true, 5s, false, false});
}

RunResult Up(Driver& d, const Bundle& b) {
  RunObserver quiet;
  return RunUp(d, b, RunOptions{}, quiet);
}

std::vector<std::string> Tables(const TempDir& dir) {
  SQLite::Database db((dir / "test.db").string());
  SQLite::Statement q(db,
                      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                      "'migrate_%' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  std::vector<std::string> out;
  while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  return out;
}

}  // namespace

TEST_CASE("sqlite: a failing statement names its file, line and column", "[sqlite]") {
  TempDir dir;
  Bundle b = MakeBundle(
      dir, {{"1_a.up.sql", "CREATE TABLE a (x);\n\nINSERT INTO a (x, nope) VALUES (1, 2);\n"},
            {"1_a.down.sql", "DROP TABLE a;"}});
  auto d = Open(dir);
  try {
    Up(*d, b);
    FAIL("expected failure");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kMigrationFailed);
    CHECK(e.where().line == 3);
    CHECK_THAT(e.what(), Catch::StartsWith("1_a.up.sql:3:") &&
                             Catch::Contains("no column named nope") &&
                             Catch::Contains("statement 2 of 2"));
  }
  CHECK(Tables(dir).empty());
  CHECK(d->ReadHistory().empty());
}

TEST_CASE("sqlite: a syntax error points at its column", "[sqlite]") {
  TempDir dir;
  Bundle b =
      MakeBundle(dir, {{"1_a.up.sql", "CREATE TABLE a (x);\n  INSERT INTO a VALUES (1,, 2);\n"},
                       {"1_a.down.sql", "DROP TABLE a;"}});
  auto d = Open(dir);
  try {
    Up(*d, b);
    FAIL("expected failure");
  } catch (const Error& e) {
    CHECK(e.where().ToString() == "1_a.up.sql:2:27");  // the second ','
    CHECK_THAT(e.what(), Catch::Contains("syntax error"));
  }
}

TEST_CASE("sqlite: foreign keys are checked before each commit", "[sqlite]") {
  TempDir dir;
  Bundle b = MakeBundle(dir, {{"1_a.up.sql",
                               "CREATE TABLE p (id INTEGER PRIMARY KEY);\n"
                               "CREATE TABLE c (p_id INTEGER REFERENCES p (id));\n"
                               "INSERT INTO c VALUES (42);\n"},
                              {"1_a.down.sql", "DROP TABLE c; DROP TABLE p;"}});
  auto d = Open(dir);
  CHECK_THROWS_WITH(Up(*d, b),
                    Catch::Contains("foreign key violation") && Catch::Contains("row 1 of c"));
  CHECK(Tables(dir).empty());
  CHECK(d->ReadHistory().empty());
}

TEST_CASE("sqlite: the table-rebuild procedure works with foreign keys off", "[sqlite]") {
  TempDir dir;
  Bundle b =
      MakeBundle(dir, {{"1_a.up.sql",
                        "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT);\n"
                        "CREATE TABLE c (p_id INTEGER REFERENCES p (id) ON DELETE CASCADE);\n"
                        "INSERT INTO p VALUES (1, 'x'); INSERT INTO c VALUES (1);\n"},
                       {"1_a.down.sql", "DROP TABLE c; DROP TABLE p;"},
                       {"2_rebuild.up.sql",
                        "CREATE TABLE p_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
                        "INSERT INTO p_new SELECT id, name FROM p;\nDROP TABLE p;\n"
                        "ALTER TABLE p_new RENAME TO p;\n"},
                       {"2_rebuild.down.sql", "SELECT 1;"}});
  auto d = Open(dir);
  CHECK(Up(*d, b).steps.size() == 2);
  SQLite::Database db((dir / "test.db").string());
  CHECK(db.execAndGet("SELECT count(*) FROM c").getInt() == 1);  // the cascade did not fire
}

TEST_CASE("sqlite: a file wrapped in its own BEGIN/COMMIT stays atomic with history", "[sqlite]") {
  TempDir dir;
  Bundle b = MakeBundle(
      dir, {{"1_a.up.sql", "BEGIN;\nCREATE TABLE a (x);\nINSERT INTO a VALUES (1);\nCOMMIT;\n"},
            {"1_a.down.sql", "BEGIN;\nDROP TABLE a;\nCOMMIT;\n"},
            {"2_b.up.sql", "BEGIN;\nCREATE TABLE b (x);\nINSERT INTO nope VALUES (1);\nCOMMIT;\n"},
            {"2_b.down.sql", "DROP TABLE b;"}});
  auto d = Open(dir);
  CHECK_THROWS_AS(Up(*d, b), Error);
  CHECK(Tables(dir) == std::vector<std::string>{"a"});
  REQUIRE(d->ReadHistory().size() == 1);
}

TEST_CASE("sqlite: configured table names are used and quoted", "[sqlite]") {
  TempDir dir;
  TableNames names{"main.deploy_history", "deploy_lock", "deploy_log", "deploy_schema"};
  Bundle b =
      MakeBundle(dir, {{"1_a.up.sql", "CREATE TABLE a (x);"}, {"1_a.down.sql", "DROP TABLE a;"}});
  auto d = Open(dir, names);
  Up(*d, b);
  SQLite::Database db((dir / "test.db").string());
  CHECK(db.execAndGet("SELECT count(*) FROM deploy_history").getInt() == 1);
  CHECK(db.execAndGet("SELECT count(*) FROM deploy_log WHERE event = 'up'").getInt() == 1);
  CHECK_FALSE(db.tableExists("migrate_history"));
}

TEST_CASE("sqlite: a writer holding the database makes TryLock report busy, not fail", "[sqlite]") {
  TempDir dir;
  auto d = Open(dir);
  d->EnsureMetadata();
  SQLite::Database other((dir / "test.db").string(), SQLite::OPEN_READWRITE);
  other.exec("BEGIN IMMEDIATE");
  auto t0 = std::chrono::steady_clock::now();
  LockAttempt a = d->TryLock(MakeLockRequest(60s));
  CHECK_FALSE(a.acquired);
  CHECK(std::chrono::steady_clock::now() - t0 < 3s);
  other.exec("ROLLBACK");
  CHECK(d->TryLock(MakeLockRequest(60s)).acquired);
}

TEST_CASE("sqlite: opening a missing file without create is a connection error", "[sqlite]") {
  TempDir dir;
  try {
    sqlite::OpenSqlite({(dir / "missing.db").string(), TableNames{}, false, 5s, false, false});
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kConnection);
    CHECK_THAT(e.what(), Catch::Contains("missing.db"));
  }
  CHECK_THROWS_AS(sqlite::OpenSqlite(
                      {(dir / "no/such/dir/x.db").string(), TableNames{}, true, 5s, false, false}),
                  Error);
}

TEST_CASE("sqlite: a parent losing rows or being rebuilt is checked through its children",
          "[sqlite]") {
  TempDir dir;
  Bundle b = MakeBundle(dir, {{"1_a.up.sql",
                               "CREATE TABLE p (id INTEGER PRIMARY KEY);\n"
                               "CREATE TABLE c (p_id INTEGER REFERENCES p (id));\n"
                               "INSERT INTO p VALUES (1), (2); INSERT INTO c VALUES (1);\n"},
                              {"1_a.down.sql", "DROP TABLE c; DROP TABLE p;"},
                              {"2_delete.up.sql", "DELETE FROM p WHERE id = 1;\n"},
                              {"2_delete.down.sql", "INSERT INTO p VALUES (1);\n"}});
  auto d = Open(dir);
  RunObserver quiet;
  RunOptions to1;
  to1.to = "1";
  RunUp(*d, b, to1, quiet);
  CHECK_THROWS_WITH(Up(*d, b), Catch::Contains("row 1 of c references a missing row of p"));
  CHECK(d->ReadHistory().size() == 1);

  TempDir dir2;
  Bundle rebuilt = MakeBundle(dir2, {{"1_a.up.sql",
                                      "CREATE TABLE p (id INTEGER PRIMARY KEY);\n"
                                      "CREATE TABLE c (p_id INTEGER REFERENCES p (id));\n"
                                      "INSERT INTO p VALUES (1); INSERT INTO c VALUES (1);\n"},
                                     {"1_a.down.sql", "DROP TABLE c; DROP TABLE p;"},
                                     {"2_rebuild.up.sql",
                                      "CREATE TABLE p_new (id INTEGER PRIMARY KEY);\n"
                                      "DROP TABLE p;\nALTER TABLE p_new RENAME TO p;\n"},
                                     {"2_rebuild.down.sql", "SELECT 1;\n"}});
  auto d2 = Open(dir2);
  CHECK_THROWS_WITH(Up(*d2, rebuilt), Catch::Contains("row 1 of c references a missing row of p"));
}

TEST_CASE("sqlite: a no-transaction file that leaves a transaction open fails, rolled back",
          "[sqlite]") {
  TempDir dir;
  Bundle b = MakeBundle(dir, {{"1_a.up.sql",
                               "-- migrate:no-transaction\nCREATE TABLE a (x);\nBEGIN;\n"
                               "CREATE TABLE b (x);\n"},
                              {"1_a.down.sql", "DROP TABLE a;"}});
  auto d = Open(dir);
  CHECK_THROWS_WITH(Up(*d, b), Catch::Contains("1_a.up.sql: the file leaves a transaction open"));
  CHECK(Tables(dir) == std::vector<std::string>{"a"});  // what ran in its own BEGIN is undone
  auto h = d->ReadHistory();
  REQUIRE(h.size() == 1);
  CHECK(h[0].state == HistoryState::kStarted);  // the next run asks for a repair
  CHECK(h[0].progress == 1);
}

TEST_CASE("sqlite: a history table of an older migrate is upgraded in place, rows kept",
          "[sqlite]") {
  TempDir dir;
  {
    SQLite::Database db((dir / "test.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(  // the history DDL before the baseline state existed
        "CREATE TABLE migrate_history (version TEXT PRIMARY KEY NOT NULL, slug TEXT NOT NULL,"
        " checksum TEXT NOT NULL, down_checksum TEXT, state TEXT NOT NULL CHECK (state IN"
        " ('applied','started')), progress INTEGER NOT NULL DEFAULT 0, applied_at TEXT NOT NULL,"
        " duration_ms INTEGER NOT NULL DEFAULT 0, applied_by TEXT NOT NULL, tool_version TEXT"
        " NOT NULL, run_id TEXT NOT NULL, fingerprint TEXT) WITHOUT ROWID;"
        "INSERT INTO migrate_history VALUES ('1', 'a', 'sum', NULL, 'applied', 1, 'then', 3,"
        " 'me@h:1', 'migrate 0.0.9', 'r', NULL);"
        // A user's view that no longer compiles would stop a checked rename; one of the
        // history stays pointed at it by name.
        "CREATE TABLE gone (x); CREATE VIEW broken AS SELECT x FROM gone; DROP TABLE gone;"
        "CREATE VIEW applied AS SELECT version FROM migrate_history;");
  }
  auto d = Open(dir);
  d->EnsureMetadata();
  LockRequest me = MakeLockRequest(60s);
  REQUIRE(d->TryLock(me).acquired);
  Step baselined;
  baselined.version = "2";
  baselined.slug = "b";
  baselined.file = "2_b.up.sql";
  baselined.checksum = "sum2";
  baselined.record_as = HistoryState::kBaseline;
  d->Apply(baselined, me);
  auto h = d->ReadHistory();
  REQUIRE(h.size() == 2);
  CHECK(h[0].applied_by == "me@h:1");
  CHECK(h[1].state == HistoryState::kBaseline);
  SQLite::Database db((dir / "test.db").string());
  CHECK_FALSE(db.tableExists("migrate_history_old"));
  CHECK(db.execAndGet("SELECT count(*) FROM applied").getInt() == 2);
  CHECK(db.execAndGet("PRAGMA legacy_alter_table").getInt() == 0);
}
