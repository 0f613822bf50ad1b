// The stairway of `migrate verify` (verify.h) on real SQLite files: each outcome, what goes
// on after it and what stops the check.
#include <catch2/catch.hpp>

#include "migrate/runner.h"
#include "migrate/verify.h"
#include "sqlite/sqlite_driver.h"
#include "support/bundle_fixture.h"

using namespace migrate;
using namespace migrate::testing;
using namespace std::chrono_literals;
using Outcome = MigrationCheck::Outcome;

namespace {

std::unique_ptr<Driver> Open(const TempDir& dir) {
  return sqlite::OpenSqlite({(dir / "test.db").string(), {}, true, 5s});
}

VerifyResult VerifyAll(Driver& db, const Bundle& bundle, bool allow_existing = false) {
  VerifyOptions options;
  options.allow_existing = allow_existing;
  VerifyObserver quiet;
  return Verify(db, bundle, options, quiet);
}

std::vector<Outcome> Outcomes(const VerifyResult& r) {
  std::vector<Outcome> out;
  for (const MigrationCheck& c : r.migrations) out.push_back(c.outcome);
  return out;
}

const std::map<std::string, std::string> kBase = {
    {"1_t.up.sql", "CREATE TABLE t (id integer PRIMARY KEY, name text);\n"},
    {"1_t.down.sql", "DROP TABLE t;\n"},
};

std::map<std::string, std::string> With(std::map<std::string, std::string> more) {
  more.insert(kBase.begin(), kBase.end());
  return more;
}

}  // namespace

TEST_CASE("verify: every down undoes its up, and the database ends with every migration",
          "[sqlite]") {
  TempDir dir;
  Bundle b = MakeBundle(dir, With({{"2_u.up.sql", "CREATE TABLE u (t_id integer REFERENCES t);\n"},
                                   {"2_u.down.sql", "DROP TABLE u;\n"}}));
  auto db = Open(dir);
  VerifyResult r = VerifyAll(*db, b);
  CHECK(Outcomes(r) == std::vector<Outcome>{Outcome::kPassed, Outcome::kPassed});
  CHECK(r.Checked() == 2);
  CHECK(r.Passed() == 2);
  CHECK(r.Failed() == 0);
  CHECK(r.NotChecked() == 0);
  CHECK(r.database.rfind("sqlite ", 0) == 0);
  CHECK(db->ReadHistory().size() == 2);
}

TEST_CASE("verify: a down that forgets an index names it, and the check goes on", "[sqlite]") {
  TempDir dir;
  Bundle b =
      MakeBundle(dir, With({{"2_i.up.sql", "CREATE INDEX IF NOT EXISTS t_name ON t (name);\n"},
                            {"2_i.down.sql", "-- forgot DROP INDEX t_name\n"},
                            {"3_c.up.sql", "ALTER TABLE t ADD COLUMN note text;\n"},
                            {"3_c.down.sql", "-- forgot DROP COLUMN note\n"},
                            {"4_v.up.sql", "CREATE VIEW names AS SELECT name FROM t;\n"},
                            {"4_v.down.sql", "DROP VIEW names;\nDROP INDEX t_name;\n"}}));
  auto db = Open(dir);
  VerifyResult r = VerifyAll(*db, b);
  REQUIRE(Outcomes(r) == std::vector<Outcome>{Outcome::kPassed, Outcome::kNotUndone,
                                              Outcome::kUpAgainFailed, Outcome::kNotReached});
  const MigrationCheck& index = r.migrations[1];
  REQUIRE(index.left.size() == 1);
  CHECK(index.left[0].kind == CatalogChange::Kind::kAdded);
  CHECK(index.left[0].object.kind == "index");
  CHECK(index.left[0].object.name == "t.t_name");
  CHECK(index.again.empty());  // IF NOT EXISTS: the second up builds the same schema
  // The column left behind makes the second ADD COLUMN fail: the check cannot go on.
  const MigrationCheck& column = r.migrations[2];
  REQUIRE(column.left.size() == 1);
  CHECK(column.left[0].object.name == "t.note");
  REQUIRE(column.error);
  CHECK(column.error->where().file == "3_c.up.sql");
  CHECK_THAT(column.error->what(), Catch::Contains("duplicate column name: note"));
  CHECK(r.Checked() == 3);
  CHECK(r.Failed() == 2);
  CHECK(r.NotChecked() == 1);
}

TEST_CASE("verify: with a fresh database at hand, the check goes on after an up fails again",
          "[sqlite]") {
  TempDir dir;
  Bundle b = MakeBundle(dir, With({{"2_c.up.sql", "ALTER TABLE t ADD COLUMN note text;\n"},
                                   {"2_c.down.sql", "-- forgot DROP COLUMN note\n"},
                                   {"3_v.up.sql", "CREATE VIEW notes AS SELECT note FROM t;\n"},
                                   {"3_v.down.sql", "DROP VIEW notes;\n"}}));
  auto db = Open(dir);
  VerifyOptions options;
  int made = 0;
  options.fresh_database = [&] {
    ++made;
    return sqlite::OpenSqlite(
        {(dir / ("fresh" + std::to_string(made) + ".db")).string(), {}, true, 5s});
  };
  VerifyObserver quiet;
  VerifyResult r = Verify(*db, b, options, quiet);
  REQUIRE(Outcomes(r) ==
          std::vector<Outcome>{Outcome::kPassed, Outcome::kUpAgainFailed, Outcome::kPassed});
  CHECK(r.migrations[1].restarted);
  CHECK(made == 1);
  CHECK(r.Failed() == 1);
  CHECK(r.NotChecked() == 0);
  auto fresh = sqlite::OpenSqlite({(dir / "fresh1.db").string(), {}, false, 5s});
  CHECK(fresh->ReadHistory().size() == 3);  // every up once, then the stairway of 3
}

TEST_CASE("verify: a column that only moved is a note, not a failure", "[sqlite]") {
  TempDir dir;
  Bundle b = MakeBundle(dir, With({{"2_x.up.sql", "ALTER TABLE t ADD COLUMN x int;\n"},
                                   {"2_x.down.sql", "ALTER TABLE t DROP COLUMN x;\n"},
                                   {"3_drop.up.sql", "ALTER TABLE t DROP COLUMN name;\n"},
                                   {"3_drop.down.sql", "ALTER TABLE t ADD COLUMN name text;\n"}}));
  auto db = Open(dir);
  VerifyResult r = VerifyAll(*db, b);
  CHECK(Outcomes(r) == std::vector<Outcome>{Outcome::kPassed, Outcome::kPassed, Outcome::kPassed});
  CHECK(r.migrations[2].left.empty());
  REQUIRE(r.migrations[2].reordered.size() == 2);  // name now after x, x before name
  CHECK(r.migrations[2].reordered[0].object.name == "t.name");
  CHECK(r.migrations[2].again.empty());
}

TEST_CASE("verify: a down that drops what was there before the up is reported as missing",
          "[sqlite]") {
  TempDir dir;
  Bundle b = MakeBundle(dir, With({{"2_u.up.sql", "CREATE TABLE u (x integer);\n"},
                                   {"2_u.down.sql", "DROP TABLE u;\nDROP TABLE t;\n"}}));
  auto db = Open(dir);
  VerifyResult r = VerifyAll(*db, b);
  REQUIRE(Outcomes(r) == std::vector<Outcome>{Outcome::kPassed, Outcome::kNotUndone});
  REQUIRE(r.migrations[1].left.size() == 1);
  CHECK(r.migrations[1].left[0].kind == CatalogChange::Kind::kRemoved);
  CHECK(r.migrations[1].left[0].object.name == "t");
  // The up ran again on a schema without t: the next migrations would build on that.
  REQUIRE(r.migrations[1].again.size() == 1);
  CHECK(r.migrations[1].again[0].object.name == "t");
}

TEST_CASE("verify: a failing up names file:line:column and stops the check", "[sqlite]") {
  TempDir dir;
  Bundle b = MakeBundle(dir, With({{"2_bad.up.sql",
                                    "CREATE TABLE ok (x integer);\n"
                                    "INSERT INTO nowhere VALUES (1);\n"},
                                   {"2_bad.down.sql", "DROP TABLE ok;\n"},
                                   {"3_later.up.sql", "CREATE TABLE later (x integer);\n"},
                                   {"3_later.down.sql", "DROP TABLE later;\n"}}));
  auto db = Open(dir);
  VerifyResult r = VerifyAll(*db, b);
  REQUIRE(Outcomes(r) ==
          std::vector<Outcome>{Outcome::kPassed, Outcome::kUpFailed, Outcome::kNotReached});
  REQUIRE(r.migrations[1].error);
  CHECK(r.migrations[1].error->where().ToString() == "2_bad.up.sql:2:1");
  CHECK(r.Failed() == 1);
  CHECK(r.NotChecked() == 1);
}

TEST_CASE("verify: a failing down is rolled back and the next migration builds on the up",
          "[sqlite]") {
  TempDir dir;
  Bundle b = MakeBundle(dir, With({{"2_u.up.sql", "CREATE TABLE u (x integer);\n"},
                                   {"2_u.down.sql", "DROP TABLE u;\nDROP TABLE nowhere;\n"},
                                   {"3_w.up.sql", "CREATE VIEW w AS SELECT x FROM u;\n"},
                                   {"3_w.down.sql", "DROP VIEW w;\n"}}));
  auto db = Open(dir);
  VerifyResult r = VerifyAll(*db, b);
  REQUIRE(Outcomes(r) ==
          std::vector<Outcome>{Outcome::kPassed, Outcome::kDownFailed, Outcome::kPassed});
  REQUIRE(r.migrations[1].error);
  CHECK(r.migrations[1].error->where().ToString() == "2_u.down.sql:2:1");
  CHECK(r.Failed() == 1);
}

TEST_CASE("verify: an irreversible migration is not checked, and the next builds on it",
          "[sqlite]") {
  TempDir dir;
  Bundle b = MakeBundle(
      dir, With({{"2_once.up.sql", "-- migrate:irreversible\nCREATE TABLE once (x integer);\n"},
                 {"3_w.up.sql", "CREATE VIEW w AS SELECT x FROM once;\n"},
                 {"3_w.down.sql", "DROP VIEW w;\n"}}));
  auto db = Open(dir);
  VerifyResult r = VerifyAll(*db, b);
  CHECK(Outcomes(r) == std::vector<Outcome>{Outcome::kPassed, Outcome::kNoDown, Outcome::kPassed});
  CHECK(r.Checked() == 2);
  CHECK(r.NotChecked() == 1);
  CHECK(r.Failed() == 0);
}

TEST_CASE("verify: a database with tables is refused unless allowed, then pending ones checked",
          "[sqlite]") {
  TempDir dir;
  Bundle b = MakeBundle(dir, With({{"2_u.up.sql", "CREATE TABLE u (x integer);\n"},
                                   {"2_u.down.sql", "DROP TABLE u;\n"}}));
  auto db = Open(dir);
  RunOptions to_one;
  to_one.to = "1";
  RunObserver quiet;
  RunUp(*db, b, to_one, quiet);
  CHECK(WhyNotEmpty(*db) == "1 table(s) (t) and 1 migrate history row(s)");
  try {
    VerifyAll(*db, b);
    FAIL("a database with tables was verified");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kUsage);
    CHECK_THAT(e.what(), Catch::Contains("not empty: it has 1 table(s) (t)") &&
                             Catch::Contains("--allow-existing") && Catch::Contains("--dev-url"));
  }
  CHECK(db->ReadHistory().size() == 1);  // nothing ran
  VerifyResult r = VerifyAll(*db, b, true);
  REQUIRE(r.migrations.size() == 1);
  CHECK(r.migrations[0].version == "2");
  CHECK(r.migrations[0].outcome == Outcome::kPassed);
}

TEST_CASE("verify: a stop signal ends the check between migrations", "[sqlite]") {
  TempDir dir;
  Bundle b = MakeBundle(dir, kBase);
  auto db = Open(dir);
  std::atomic<bool> stop{true};
  VerifyOptions options;
  options.run.stop = &stop;
  VerifyObserver quiet;
  try {
    Verify(*db, b, options, quiet);
    FAIL("not interrupted");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kInterrupted);
  }
  CHECK(db->ReadHistory().empty());
  CHECK_FALSE(db->ReadLock());
}

TEST_CASE("verify: with --allow-existing, a history the bundle does not match is refused",
          "[sqlite]") {
  TempDir dir;
  Bundle b = MakeBundle(dir, kBase);
  auto db = Open(dir);
  RunObserver quiet;
  RunUp(*db, b, RunOptions{}, quiet);
  TempDir other;  // a bundle without 1, which the database has
  Bundle without = MakeBundle(other, {{"2_u.up.sql", "CREATE TABLE u (x integer);\n"},
                                      {"2_u.down.sql", "DROP TABLE u;\n"}});
  try {
    VerifyAll(*db, without, true);
    FAIL("a history the bundle does not match was verified");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kDrift);
    CHECK_THAT(e.what(), Catch::Contains("nothing was run"));
  }
  CHECK(db->ReadHistory().size() == 1);
}
