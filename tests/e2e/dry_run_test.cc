// `run --dry-run` and `down --dry-run` really run the migrations on the target and leave it
// as it was (docs/design.md §13): SQLite through a copy, PostgreSQL in a transaction rolled
// back. Real files and the real server.
#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "e2e/project.h"
#include "support/pg.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

std::string Bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Three tables, then a fourth migration whose second statement fails at line 2, column 15.
void AddSet(const Project& p) {
  for (const char* t : {"1_a", "2_b", "3_c"}) {
    std::string table = std::string(t).substr(2);
    p.Add(std::string(t) + ".up.sql", "CREATE TABLE " + table + " (id INTEGER PRIMARY KEY);\n");
    p.Add(std::string(t) + ".down.sql", "DROP TABLE " + table + ";\n");
  }
}

void AddFailingFourth(const Project& p) {
  p.Add("4_d.up.sql", "CREATE TABLE d (id INTEGER);\nINSERT INTO d SELECT nope FROM a;\n");
  p.Add("4_d.down.sql", "DROP TABLE d;\n");
}

// Passes the build's rehearsal on an empty database, fails on the rows of table a.
void AddFourthFailingOnData(const Project& p) {
  p.Add("4_d.up.sql", "CREATE TABLE d (id INTEGER NOT NULL);\nINSERT INTO d SELECT NULL FROM a;\n");
  p.Add("4_d.down.sql", "DROP TABLE d;\n");
}

// Everything a dry run could change on PostgreSQL: the schema (pg_dump), migrate's tables row
// by row, and the row count of every table.
std::string PgState(const PgDatabase& db) {
  std::string state = db.DumpSchema();
  for (std::string t : {"migrate_history", "migrate_lock", "migrate_log", "migrate_schema"}) {
    if (db.Query("SELECT to_regclass('" + t + "')::text")[0].empty()) continue;
    for (const std::string& row : db.Query("SELECT x::text FROM " + t + " x ORDER BY 1")) {
      state += t + ": " + row + "\n";
    }
  }
  for (const std::string& row : db.Query(
           "SELECT format('%s %s', c.relname, (xpath('/row/n/text()', query_to_xml("
           "format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))"
           "[1]::text) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 1")) {
    state += "rows " + row + "\n";
  }
  return state;
}

struct PgProject {
  PgDatabase db;
  Project project{"dialects = [\"postgres\"]\n"};
  ProcessResult Run(std::vector<std::string> args) const {
    return project.Run(args, {{"DATABASE_URL", db.url()}});
  }
};

}  // namespace

TEST_CASE("dry run on SQLite: every migration runs on a copy, the file stays byte-identical",
          "[e2e][sqlite]") {
  Project p;
  AddSet(p);
  p.Add(
      "4_d.up.sql",
      "-- migrate:no-transaction\nCREATE TABLE d (id INTEGER);\nINSERT INTO d SELECT id FROM a;\n");
  p.Add("4_d.down.sql", "DROP TABLE d;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "1"}).exit_code == 0);
  SQLite::Database((p / "test.db").string(), SQLite::OPEN_READWRITE)
      .exec("INSERT INTO a VALUES (1), (2)");
  std::string before = Bytes(p / "test.db");
  fs::create_directory(p / "tmp");
  ProcessResult dry = p.Run({"run", "--dry-run"}, {{"TMPDIR", (p / "tmp").string()}});
  CHECK(dry.exit_code == 0);
  CHECK_THAT(dry.out, Catch::Contains("rehearsed 2  b") && Catch::Contains("rehearsed 4  d") &&
                          Catch::Contains("3 migration(s) applied") &&
                          Catch::Contains("SQLite's backup API"));
  CHECK(Bytes(p / "test.db") == before);
  CHECK(fs::is_empty(p / "tmp"));  // the copy is gone
  CHECK(!fs::exists(p / "test.db-wal"));

  ProcessResult down = p.Run({"down", "--dry-run", "--all", "--json"});
  CHECK(down.exit_code == 0);
  auto j = nlohmann::json::parse(down.out);
  CHECK(j["dry_run"] == true);
  CHECK(j["steps"].size() == 1);
  CHECK(j["not_rehearsed"].is_null());
  CHECK(Bytes(p / "test.db") == before);
}

TEST_CASE("dry run on SQLite: a failing migration is named and the file is unchanged",
          "[e2e][sqlite]") {
  Project p;
  AddSet(p);
  AddFourthFailingOnData(p);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "1"}).exit_code == 0);
  SQLite::Database((p / "test.db").string(), SQLite::OPEN_READWRITE)
      .exec("INSERT INTO a VALUES (1)");
  std::string before = Bytes(p / "test.db");
  ProcessResult dry = p.Run({"run", "--dry-run"});
  CHECK(dry.exit_code == 1);
  CHECK_THAT(dry.err, Catch::Contains("4_d.up.sql:2:1") && Catch::Contains("NOT NULL") &&
                          Catch::Contains("2 migration(s) before it rehearsed; all undone"));
  CHECK(Bytes(p / "test.db") == before);
}

TEST_CASE("dry run on SQLite: a database file that does not exist yet is not created",
          "[e2e][sqlite]") {
  Project p;
  AddSet(p);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult dry = p.Run({"run", "--dry-run"});
  CHECK(dry.exit_code == 0);
  CHECK_THAT(dry.out, Catch::Contains("rehearsed 3  c") &&
                          Catch::Contains("does not exist yet: rehearsed on an empty one"));
  CHECK(!fs::exists(p / "test.db"));
}

TEST_CASE("dry run on PostgreSQL: schema, migrate's tables and row counts stay identical",
          "[e2e][postgres]") {
  PgProject p;
  AddSet(p.project);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "1"}).exit_code == 0);
  p.db.Query("INSERT INTO a VALUES (1), (2) RETURNING id");
  std::string before = PgState(p.db);
  ProcessResult dry = p.Run({"run", "--dry-run"});
  CHECK(dry.exit_code == 0);
  CHECK_THAT(dry.out, Catch::Contains("rehearsed 3  c") &&
                          Catch::Contains("inside one transaction, then rolled back") &&
                          Catch::Contains("DDL locks were held"));
  CHECK(PgState(p.db) == before);

  ProcessResult down = p.Run({"down", "--dry-run"});
  CHECK(down.exit_code == 0);
  CHECK_THAT(down.out,
             Catch::Contains("rehearsed 1  a") && Catch::Contains("1 migration(s) reverted"));
  CHECK(PgState(p.db) == before);

  AddFailingFourth(p.project);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult failing = p.Run({"run", "--dry-run"});
  CHECK(failing.exit_code == 1);
  CHECK_THAT(failing.err, Catch::Contains("4_d.up.sql:2:22") && Catch::Contains("SQLSTATE 42703") &&
                              Catch::Contains("2 migration(s) before it rehearsed; all undone"));
  CHECK(PgState(p.db) == before);
  CHECK(p.db.Query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") ==
        std::vector<std::string>{"0"});
}

TEST_CASE("dry run on PostgreSQL: a no-transaction migration is not rehearsed, nor what follows",
          "[e2e][postgres]") {
  PgProject p;
  AddSet(p.project);
  p.project.Add("4_idx.up.sql",
                "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n");
  p.project.Add("4_idx.down.sql", "-- migrate:no-transaction\nDROP INDEX CONCURRENTLY a_id;\n");
  p.project.Add("5_e.up.sql", "CREATE TABLE e (id int);\n");
  p.project.Add("5_e.down.sql", "DROP TABLE e;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  std::string before = PgState(p.db);
  ProcessResult dry = p.Run({"run", "--dry-run", "--json"});
  CHECK(dry.exit_code == 0);
  auto j = nlohmann::json::parse(dry.out);
  CHECK(j["steps"].size() == 3);
  CHECK(j["not_rehearsed"]["version"] == "4");
  CHECK(j["not_reached"] == 1);
  ProcessResult text = p.Run({"run", "--dry-run"});
  CHECK_THAT(text.out, Catch::Contains("not rehearsed 4  idx") &&
                           Catch::Contains("it was not executed") &&
                           Catch::Contains("1 later migration(s) not rehearsed"));
  CHECK(p.db.Query("SELECT to_regclass('a_id')::text") == std::vector<std::string>{""});
  CHECK(PgState(p.db) == before);
}
