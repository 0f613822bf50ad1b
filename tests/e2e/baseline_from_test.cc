// Switching from another tool without re-running anything: `migrate import --from TOOL`, then
// `migrate baseline --from TOOL` reads what that tool recorded in its own history table.
// Here golang-migrate-style files applied with psql (golang-migrate's table made as it makes
// it) and a dbmate-style SQLite file; tests/peers/check-baseline-from does the same with the
// real dbmate from npm and the openmeter corpus.
#include <catch2/catch.hpp>

#include "e2e/project.h"
#include "support/pg.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

const char* kPsql = "/usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1";

// A golang-migrate folder of three migrations under `dir`.
void WriteGolangMigrate(const fs::path& dir) {
  WriteFile(dir / "1_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n");
  WriteFile(dir / "1_users.down.sql", "DROP TABLE users;\n");
  WriteFile(dir / "2_orders.up.sql",
            "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);\n");
  WriteFile(dir / "2_orders.down.sql", "DROP TABLE orders;\n");
  WriteFile(dir / "3_orders_by_user.up.sql", "CREATE INDEX orders_user ON orders (user_id);\n");
  WriteFile(dir / "3_orders_by_user.down.sql", "DROP INDEX orders_user;\n");
}

// Applies the up files of `dir` with psql, one transaction each, and records `version` (and
// `dirty`) in golang-migrate's table as its postgres driver does.
void MigrateWithPsql(const PgDatabase& db, const fs::path& dir, int version, bool dirty = false) {
  for (const char* name : {"1_users.up.sql", "2_orders.up.sql", "3_orders_by_user.up.sql"}) {
    std::string cmd = std::string(kPsql) + " -1 -d '" + db.url() + "' -f " + (dir / name).string() +
                      " >/dev/null 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);
  }
  db.Query(
      "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean "
      "NOT NULL)");
  db.Query("INSERT INTO schema_migrations VALUES (" + std::to_string(version) + ", " +
           (dirty ? "true" : "false") + ")");
}

bool HasMigrateTables(const PgDatabase& db) {
  return db.Query("SELECT to_regclass('migrate_history') IS NOT NULL") ==
         std::vector<std::string>{"t"};
}

}  // namespace

TEST_CASE(
    "e2e: golang-migrate files applied with psql are imported and baselined from "
    "schema_migrations, then migrate takes over",
    "[postgres][e2e]") {
  Project p("dialects = [\"postgres\"]\n");
  PgDatabase db;
  WriteGolangMigrate(p / "gm");
  MigrateWithPsql(db, p / "gm", 3);
  REQUIRE(p.Run({"import", "--from", "golang-migrate", "gm"}).exit_code == 0);
  REQUIRE(p.Run({"build"}).exit_code == 0);

  ProcessResult baseline =
      p.Run({"--database", db.url(), "baseline", "--from", "golang-migrate", "--check"});
  INFO(baseline.out << baseline.err);
  REQUIRE(baseline.exit_code == 0);
  CHECK_THAT(baseline.out,
             Catch::Contains("golang-migrate applied 3 migration(s) here, up to 3 (read from "
                             "schema_migrations)") &&
                 Catch::Contains("Checked: the database is the schema the migrations up to 3") &&
                 Catch::Contains("Baselined 3 migration(s) up to 3"));
  ProcessResult status = p.Run({"--database", db.url(), "status"});
  CHECK_THAT(status.out, Catch::Contains("baseline 3  orders_by_user") &&
                             Catch::Contains("0 applied, 0 pending, 3 baselined"));
  ProcessResult noop = p.Run({"--database", db.url(), "run"});
  CHECK(noop.exit_code == 0);
  CHECK_THAT(noop.out, Catch::Contains("Nothing to do"));

  p.Add("4_coupons.up.sql", "CREATE TABLE coupons (code text PRIMARY KEY);\n");
  p.Add("4_coupons.down.sql", "DROP TABLE coupons;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult run = p.Run({"--database", db.url(), "run"});
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("Applied 1 migration(s)"));
  CHECK(db.Query("SELECT to_regclass('coupons') IS NOT NULL") == std::vector<std::string>{"t"});
  // golang-migrate's table is left as it was: switching back stays possible.
  CHECK(db.Query("SELECT version || ' ' || dirty FROM schema_migrations") ==
        std::vector<std::string>{"3 false"});
  // Once migrate has history, baseline refuses.
  CHECK(p.Run({"--database", db.url(), "baseline", "--from", "golang-migrate"}).exit_code == 2);
}

TEST_CASE("e2e: baseline --from refuses a dirty, foreign or unknown history and writes nothing",
          "[postgres][e2e]") {
  Project p("dialects = [\"postgres\"]\n");
  WriteGolangMigrate(p / "gm");
  REQUIRE(p.Run({"import", "--from", "golang-migrate", "gm"}).exit_code == 0);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  PgDatabase db;
  auto baseline = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--database", db.url(), "baseline"});
    return p.Run(args);
  };

  ProcessResult missing = baseline({"--from", "dbmate"});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("no table schema_migrations in the database: dbmate "
                                          "keeps its history there") &&
                              Catch::Contains("--table"));

  MigrateWithPsql(db, p / "gm", 2, /*dirty=*/true);
  ProcessResult other = baseline({"--from", "dbmate"});  // the same table name
  CHECK(other.exit_code == 2);
  CHECK_THAT(other.err, Catch::Contains("has golang-migrate's dirty column") &&
                            Catch::Contains("Use --from golang-migrate"));
  ProcessResult dirty = baseline({"--from", "golang-migrate"});
  CHECK(dirty.exit_code == 2);
  CHECK_THAT(dirty.err, Catch::Contains("golang-migrate left version 2 dirty in "
                                        "schema_migrations") &&
                            Catch::Contains("'migrate force 2' with golang-migrate"));

  db.Query("UPDATE schema_migrations SET version = 7, dirty = false");
  ProcessResult lacks = baseline({"--from", "golang-migrate"});
  CHECK(lacks.exit_code == 2);
  CHECK_THAT(lacks.err, Catch::Contains("golang-migrate applied 1 migration(s) the bundle lacks "
                                        "(7): import their files"));

  ProcessResult foreign = baseline({"--from", "goose", "--table", "schema_migrations"});
  CHECK(foreign.exit_code == 2);
  CHECK_THAT(foreign.err, Catch::Contains("cannot read goose's history from schema_migrations") &&
                              Catch::Contains("version_id"));

  CHECK_THAT(baseline({"--from", "liquibase"}).err, Catch::Contains("not a tool migrate reads"));
  CHECK_THAT(baseline({"--from", "golang-migrate", "3"}).err,
             Catch::Contains("either a VERSION or --from TOOL"));
  CHECK(baseline({}).exit_code == 2);
  CHECK_THAT(baseline({"3", "--table", "schema_migrations"}).err,
             Catch::Contains("--table names the history table of the tool --from reads"));
  CHECK(baseline({"--from", "golang-migrate", "--table", "no such"}).exit_code != 0);
  CHECK_FALSE(HasMigrateTables(db));  // nothing was written by any of them
}

TEST_CASE("e2e: baseline --from dbmate on SQLite records what dbmate applied, gaps stay pending",
          "[e2e]") {
  Project p;
  WriteFile(p / "db/migrations/20240101000000_users.sql",
            "-- migrate:up\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n"
            "-- migrate:down\nDROP TABLE users;\n");
  WriteFile(p / "db/migrations/20240102000000_tags.sql",
            "-- migrate:up\nCREATE TABLE tags (id INTEGER PRIMARY KEY);\n"
            "-- migrate:down\nDROP TABLE tags;\n");
  WriteFile(p / "db/migrations/20240103000000_notes.sql",
            "-- migrate:up\nCREATE TABLE notes (id INTEGER PRIMARY KEY);\n"
            "-- migrate:down\nDROP TABLE notes;\n");
  REQUIRE(p.Run({"import", "--from", "dbmate", "db/migrations"}).exit_code == 0);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  // What dbmate leaves in SQLite after applying the first and the third (out of order).
  for (const char* sql : {"CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)",
                          "INSERT INTO schema_migrations VALUES ('20240101000000')",
                          "INSERT INTO schema_migrations VALUES ('20240103000000')",
                          "CREATE TABLE users (id INTEGER PRIMARY KEY)",
                          "CREATE TABLE notes (id INTEGER PRIMARY KEY)"}) {
    p.Exec(sql);
  }
  ProcessResult check = p.Run({"baseline", "--from", "dbmate", "--check"});
  CHECK(check.exit_code == 2);
  CHECK_THAT(check.err, Catch::Contains("--check compares with the migrations up to one version, "
                                        "and dbmate skipped some"));
  ProcessResult baseline = p.Run({"baseline", "--from", "dbmate"});
  INFO(baseline.out << baseline.err);
  REQUIRE(baseline.exit_code == 0);
  CHECK_THAT(baseline.out, Catch::Contains("dbmate applied 2 migration(s) here, up to "
                                           "20240103000000"));
  CHECK_THAT(baseline.err, Catch::Contains("dbmate had not applied 20240102000000") &&
                               Catch::Contains("--allow-out-of-order"));
  CHECK_THAT(p.Run({"status"}).out, Catch::Contains("2 baselined") && Catch::Contains("1 pending"));
  CHECK(p.Run({"run"}).exit_code != 0);  // out of order: refused without the flag
  ProcessResult run = p.Run({"run", "--allow-out-of-order"});
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(p.Tables() == std::vector<std::string>{"notes", "schema_migrations", "tags", "users"});
}

TEST_CASE("e2e: baseline --from goose --check leaves goose's table and its sequence out",
          "[postgres][e2e]") {
  Project p("dialects = [\"postgres\"]\n");
  WriteFile(p / "goose/00001_users.sql",
            "-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY);\n"
            "-- +goose Down\nDROP TABLE users;\n");
  WriteFile(p / "goose/00002_tags.sql",
            "-- +goose Up\nCREATE TABLE tags (id bigint PRIMARY KEY);\n"
            "-- +goose Down\nDROP TABLE tags;\n");
  REQUIRE(p.Run({"import", "--from", "goose", "goose"}).exit_code == 0);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  PgDatabase db;
  // As goose leaves it: its table with a serial id, version 0 its own, 2 applied then undone.
  db.Query(
      "CREATE TABLE goose_db_version (id serial NOT NULL, version_id bigint NOT NULL, "
      "is_applied boolean NOT NULL, tstamp timestamp NULL DEFAULT now(), PRIMARY KEY (id))");
  db.Query(
      "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), "
      "(2, true), (2, false)");
  db.Query("CREATE TABLE users (id bigint PRIMARY KEY)");
  ProcessResult baseline =
      p.Run({"--database", db.url(), "baseline", "--from", "goose", "--check"});
  INFO(baseline.out << baseline.err);
  REQUIRE(baseline.exit_code == 0);
  CHECK_THAT(baseline.out, Catch::Contains("goose applied 1 migration(s) here, up to 00001") &&
                               Catch::Contains("Baselined 1 migration(s) up to 00001"));
  ProcessResult run = p.Run({"--database", db.url(), "run"});
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("Applied 1 migration(s)"));
}
