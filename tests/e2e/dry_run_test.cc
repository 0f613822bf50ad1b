// `run --dry-run` and `down --dry-run` really run the migrations on the target and leave it
// as it was (docs/design.md §13): SQLite through a copy, PostgreSQL in a transaction rolled
// back. Real files and the real server.
#include <SQLiteCpp/SQLiteCpp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "e2e/project.h"
#include "support/json_lines.h"
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
  auto j = RunSummary(down.out);
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
                          Catch::Contains("does not exist yet, and was not created"));
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
  // This database's: tests running beside this one hold theirs in other databases.
  CHECK(p.db.Query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                   "(SELECT oid FROM pg_database WHERE datname = current_database())") ==
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
  auto j = RunSummary(dry.out);
  CHECK(j["steps"].size() == 3);
  CHECK(j["not_rehearsed"]["version"] == "4");
  CHECK(j["not_reached"] == 1);
  ProcessResult text = p.Run({"run", "--dry-run"});
  CHECK_THAT(text.out, Catch::Contains("not rehearsed 4  idx") &&
                           Catch::Contains("no-transaction") &&
                           Catch::Contains("1 later migration(s) not rehearsed"));
  CHECK(p.db.Query("SELECT to_regclass('a_id')::text") == std::vector<std::string>{""});
  CHECK(PgState(p.db) == before);
}

TEST_CASE("dry run on SQLite: a WAL database with unmerged pages keeps its file and its WAL",
          "[e2e][sqlite]") {
  Project p;
  AddSet(p);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "1"}).exit_code == 0);
  // An application that left its last writes in the WAL (no checkpoint at exit).
  pid_t child = ::fork();
  if (child == 0) {
    SQLite::Database db((p / "test.db").string(), SQLite::OPEN_READWRITE);
    db.exec(
        "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;"
        "INSERT INTO a VALUES (1), (2);");
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(fs::file_size(p / "test.db-wal") > 0);
  std::string db = Bytes(p / "test.db"), wal = Bytes(p / "test.db-wal");
  ProcessResult dry = p.Run({"run", "--dry-run"});
  CHECK(dry.exit_code == 0);
  CHECK_THAT(dry.out, Catch::Contains("2 migration(s) applied"));
  CHECK(Bytes(p / "test.db") == db);
  CHECK(Bytes(p / "test.db-wal") == wal);
}

TEST_CASE("dry run on SQLite: ATTACH and VACUUM INTO are not rehearsed, no file is written",
          "[e2e][sqlite]") {
  Project p;
  AddSet(p);
  p.Add("4_out.up.sql",
        "-- migrate:no-transaction\nATTACH DATABASE 'other.db' AS o;\nCREATE TABLE o.t (x);\n");
  p.Add("4_out.down.sql", "SELECT 1;\n");
  p.Add("5_e.up.sql", "CREATE TABLE e (x);\n");
  p.Add("5_e.down.sql", "DROP TABLE e;\n");
  REQUIRE(p.Run({"build", "--no-rehearse"}).exit_code == 0);
  ProcessResult dry = p.Run({"run", "--dry-run"});
  CHECK(dry.exit_code == 0);
  CHECK_THAT(dry.out, Catch::Contains("not rehearsed 4  out: it attaches a database file") &&
                          Catch::Contains("1 later migration(s) not rehearsed"));
  CHECK(!fs::exists(p / "other.db"));
  p.Add("4_out.up.sql", "-- migrate:no-transaction\nVACUUM INTO 'copy.db';\n");
  REQUIRE(p.Run({"build", "--no-rehearse"}).exit_code == 0);
  CHECK_THAT(p.Run({"run", "--dry-run"}).out, Catch::Contains("not rehearsed 4  out"));
  CHECK(!fs::exists(p / "copy.db"));
}

TEST_CASE("dry run on SQLite: no temporary directory for the copy is a clear error",
          "[e2e][sqlite]") {
  Project p;
  AddSet(p);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "1"}).exit_code == 0);
  std::string before = Bytes(p / "test.db");
  ProcessResult dry = p.Run({"run", "--dry-run"}, {{"TMPDIR", (p / "no-such-dir").string()}});
  CHECK(dry.exit_code == 1);
  CHECK_THAT(dry.err, Catch::Contains("no-such-dir") && Catch::Contains("set TMPDIR"));
  CHECK(Bytes(p / "test.db") == before);
}

TEST_CASE("dry run on PostgreSQL: each migration's end checks what its COMMIT would",
          "[e2e][postgres]") {
  PgProject p;
  p.project.Add("1_pc.up.sql",
                "CREATE TABLE p (id int PRIMARY KEY);\n"
                "CREATE TABLE c (id int, p_id int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\n");
  p.project.Add("1_pc.down.sql", "DROP TABLE c, p;\n");
  p.project.Add("2_rows.up.sql", "INSERT INTO c VALUES (1, 1);\nINSERT INTO p VALUES (1);\n");
  p.project.Add("2_rows.down.sql", "DELETE FROM c;\nDELETE FROM p;\n");
  // Runs in a run (the deferred checks fired at 2's commit); also in the dry run.
  p.project.Add("3_alter.up.sql", "ALTER TABLE c ADD COLUMN z int;\n");
  p.project.Add("3_alter.down.sql", "ALTER TABLE c DROP COLUMN z;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult ok = p.Run({"run", "--dry-run"});
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("rehearsed 3  alter"));
  // A deferred violation fails at the migration's end, as its COMMIT would in a run.
  p.project.Add("4_orphan.up.sql", "INSERT INTO c VALUES (2, 999);\n");
  p.project.Add("4_orphan.down.sql", "DELETE FROM c WHERE id = 2;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult orphan = p.Run({"run", "--dry-run"});
  CHECK(orphan.exit_code == 1);
  CHECK_THAT(orphan.err, Catch::Contains("4_orphan.up.sql: at its end") &&
                             Catch::Contains("foreign key") && Catch::Contains("23503"));
  CHECK(p.db.Query("SELECT to_regclass('c')::text") == std::vector<std::string>{""});
}

TEST_CASE("dry run on PostgreSQL: an enum value used by the migration after the one adding it",
          "[e2e][postgres]") {
  PgProject p;
  p.project.Add("1_t.up.sql", "CREATE TYPE mood AS ENUM ('ok');\nCREATE TABLE t (m mood);\n");
  p.project.Add("1_t.down.sql", "DROP TABLE t;\nDROP TYPE mood;\n");
  p.project.Add("2_add.up.sql", "ALTER TYPE mood ADD VALUE 'sad';\n");
  p.project.Add("2_add.down.sql", "SELECT 1;\n");
  p.project.Add("3_use.up.sql", "INSERT INTO t VALUES ('sad');\n");
  p.project.Add("3_use.down.sql", "DELETE FROM t;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult dry = p.Run({"run", "--dry-run"});
  CHECK(dry.exit_code == 0);
  CHECK_THAT(dry.out, Catch::Contains("rehearsed 2  add") &&
                          Catch::Contains("not rehearsed 3  use: it uses an enum value"));
  CHECK(p.Run({"run"}).exit_code == 0);  // and a run applies all three
}

TEST_CASE("dry run on PostgreSQL: a statement that ends the transaction is caught and said",
          "[e2e][postgres]") {
  PgProject p;
  // With standard_conforming_strings off the server reads a COMMIT the splitter cannot see.
  p.project.Add("1_a.up.sql",
                "CREATE TABLE a (id int);\nSET standard_conforming_strings = off;\n"
                "SELECT 'x\\' , '; COMMIT; SELECT 1 --';\nCREATE TABLE after_commit (id int);\n");
  p.project.Add("1_a.down.sql", "DROP TABLE after_commit, a;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult dry = p.Run({"run", "--dry-run"});
  CHECK(dry.exit_code == 1);
  CHECK_THAT(dry.err, Catch::Contains("1_a.up.sql: this migration ended the dry run's "
                                      "transaction") &&
                          Catch::Contains("Check the database by hand"));
}

TEST_CASE("dry run on PostgreSQL: a permission error carries its SQLSTATE", "[e2e][postgres]") {
  PgProject p;
  std::string role = "weak_" + p.db.name();
  p.db.Query("CREATE ROLE " + role + " LOGIN PASSWORD 'weak-pw'; SELECT 1");
  p.project.Add("1_a.up.sql", "CREATE TABLE a (id int);\n");
  p.project.Add("1_a.down.sql", "DROP TABLE a;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  std::string url = p.db.url();
  url.replace(url.find("//") + 2, url.find('@') - url.find("//") - 2, role + ":weak-pw");
  ProcessResult dry = p.project.Run({"run", "--dry-run"}, {{"DATABASE_URL", url}});
  CHECK(dry.exit_code == 1);
  CHECK_THAT(dry.err, Catch::Contains("1_a.up.sql:1:") && Catch::Contains("SQLSTATE 42501"));
  CHECK_THAT(dry.err, !Catch::Contains("weak-pw"));
  p.db.Query("DROP ROLE " + role + "; SELECT 1");
}
