// On the real PostgreSQL server: a transactional migration goes as one message (BEGIN, lease
// check, timeouts, statements, records, COMMIT; drivers/postgres/postgres_batch.h), one round
// trip, and keeps every guarantee of statement-by-statement sending: a failing statement is
// reported at its file:line:column with its SQLSTATE and "statement k of n" and leaves
// nothing; a lease taken over while it runs rolls it back; the timeouts apply to its
// statements.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <thread>

#include "e2e/project.h"
#include "postgres/postgres_driver.h"
#include "support/pg.h"
#include "support/tcp_proxy.h"

using namespace migrate::testing;
using namespace std::chrono_literals;

namespace {

struct PgProject {
  PgDatabase db;
  Project p{"dialects = [\"postgres\"]\n"};
  std::map<std::string, std::string> env{{"DATABASE_URL", db.url()}};
};

// Migrations 1..n, each creating one table with three statements.
void AddTables(const Project& p, int from, int to) {
  for (int i = from; i <= to; ++i) {
    std::string n = std::to_string(i);
    p.Add(n + "_t" + n + ".up.sql", "CREATE TABLE t" + n + " (id int);\nINSERT INTO t" + n +
                                        " VALUES (1);\nUPDATE t" + n + " SET id = 2;\n");
    p.Add(n + "_t" + n + ".down.sql", "DROP TABLE t" + n + ";\n");
  }
}

}  // namespace

TEST_CASE(
    "postgres: a failing statement in the middle of a migration sent whole is reported "
    "where it is, and leaves nothing",
    "[postgres][e2e]") {
  PgProject t;
  t.p.Add("1_mid.up.sql",
          "CREATE TABLE first (id int);\n"
          "INSERT INTO first VALUES (1);\n"
          "-- the third statement reads a table that does not exist\n"
          "INSERT INTO first\n  SELECT id FROM missing_table;\n"
          "CREATE TABLE never (id int);\n");
  t.p.Add("1_mid.down.sql", "DROP TABLE first;\n");
  REQUIRE(t.p.Run({"build"}).exit_code == 0);
  ProcessResult r = t.p.Run({"run"}, t.env);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("1_mid.up.sql:5:18: statement 3 of 4 failed (SQLSTATE "
                                    "42P01)") &&
                        Catch::Contains("relation \"missing_table\" does not exist"));
  CHECK(t.db.Query("SELECT to_regclass('first')::text") == std::vector<std::string>{""});
  CHECK(t.db.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"0"});
  // The session is usable again: nothing stayed in a failed transaction.
  CHECK(t.p.Run({"status"}, t.env).exit_code == 0);
}

TEST_CASE("postgres: a runtime error without a position names its statement's line",
          "[postgres][e2e]") {
  PgProject t;
  t.p.Add("1_div.up.sql",
          "CREATE TABLE d (id int);\nINSERT INTO d VALUES (1);\n\nSELECT 1 / (id - 1) FROM d;\n");
  t.p.Add("1_div.down.sql", "DROP TABLE d;\n");
  REQUIRE(t.p.Run({"build"}).exit_code == 0);
  ProcessResult r = t.p.Run({"run"}, t.env);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("1_div.up.sql:4:1: statement 3 of 3 failed (SQLSTATE "
                                    "22012): ERROR:  division by zero"));
  CHECK(t.db.Query("SELECT to_regclass('d')::text") == std::vector<std::string>{""});
}

TEST_CASE("postgres: a statement_timeout set in a file stops its statement inside the message",
          "[postgres][e2e]") {
  PgProject t;
  t.p.Add("1_slow.up.sql",
          "-- migrate:statement-timeout 200ms\nCREATE TABLE s (id int);\nSELECT pg_sleep(2);\n");
  t.p.Add("1_slow.down.sql", "DROP TABLE s;\n");
  REQUIRE(t.p.Run({"build"}).exit_code == 0);
  auto t0 = std::chrono::steady_clock::now();
  ProcessResult r = t.p.Run({"run"}, t.env);
  CHECK(std::chrono::steady_clock::now() - t0 < 1500ms);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("1_slow.up.sql:3:1: statement 2 of 2 failed (SQLSTATE "
                                    "57014)"));
  CHECK(t.db.Query("SELECT to_regclass('s')::text") == std::vector<std::string>{""});
  // SET LOCAL: the session's own timeout is untouched afterwards.
  CHECK(t.db.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"0"});
}

TEST_CASE("postgres: a lease taken over while a migration sent whole runs rolls it back",
          "[postgres][e2e]") {
  PgProject t;
  t.p.Add("1_a.up.sql", "CREATE TABLE a (id int);\n");
  t.p.Add("1_a.down.sql", "DROP TABLE a;\n");
  t.p.Add("2_b.up.sql", "CREATE TABLE b (id int);\nSELECT pg_sleep(3);\n");
  t.p.Add("2_b.down.sql", "DROP TABLE b;\n");
  REQUIRE(t.p.Run({"build"}).exit_code == 0);
  ChildProcess child = StartMigrate({"run"}, t.p.dir().path(), t.env);
  bool sleeping = false;
  for (int i = 0; i < 200 && !sleeping; ++i) {
    std::this_thread::sleep_for(20ms);
    sleeping = t.db.Query(
                   "SELECT count(*) FROM pg_stat_activity WHERE wait_event = "
                   "'PgSleep'") == std::vector<std::string>{"1"};
  }
  REQUIRE(sleeping);
  // Another runner takes the row over (as one whose lease check found it expired would),
  // while the migration still sleeps: before its record touches the row.
  REQUIRE(t.db.Query("UPDATE migrate_lock SET run_id = 'thief', holder = 'thief@elsewhere' "
                     "WHERE EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event = "
                     "'PgSleep') RETURNING 1") == std::vector<std::string>{"1"});
  ProcessResult r = Wait(child, 30);
  INFO(r.err);
  CHECK(r.exit_code == 5);
  CHECK(t.db.Query("SELECT version FROM migrate_history") == std::vector<std::string>{"1"});
  CHECK(t.db.Query("SELECT to_regclass('b')::text") == std::vector<std::string>{""});
  CHECK(t.db.Query("SELECT run_id FROM migrate_lock") == std::vector<std::string>{"thief"});
}

TEST_CASE("postgres: a transactional migration costs one round trip", "[postgres][e2e]") {
  Project p{"dialects = [\"postgres\"]\n"};
  AddTables(p, 1, 8);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  // A run's fixed cost (connect, lock, history, snapshot) is the same for 2 and for 8
  // migrations on an empty database: the difference is what the 6 more cost.
  auto run = [&](const std::vector<std::string>& args) {
    PgDatabase db;
    TcpProxy proxy(db.url());
    REQUIRE(p.Run(args, {{"DATABASE_URL", proxy.url()}}).exit_code == 0);
    return proxy.round_trips();
  };
  int two = run({"run", "--to", "2"});
  int eight = run({"run"});
  INFO("2 migrations: " << two << " round trips in all; 8: " << eight);
  CHECK(eight - two >= 6);
  CHECK(eight - two <= 7);  // the proxy may see one reply in two reads
}

TEST_CASE("postgres: the session's settings ride with the connection's start-up", "[postgres]") {
  PgDatabase db;
  db.Query(
      "CREATE VIEW settings AS SELECT current_setting('client_connection_check_interval') "
      "AS check_interval, current_setting('work_mem') AS work_mem");
  // Read through the driver's own session (ReadForeignTable runs on it).
  auto read = [&](const std::string& url) {
    auto driver = migrate::postgres::OpenPostgres({url, migrate::TableNames{}});
    auto rows = driver->ReadForeignTable("settings", {"check_interval", "work_mem"});
    REQUIRE(rows.has_value());
    REQUIRE(rows->size() == 1);
    return std::make_pair((*rows)[0][0].value_or(""), (*rows)[0][1].value_or(""));
  };
  CHECK(read(db.url()) == std::make_pair(std::string("2s"), std::string("4MB")));
  // The URL's own options are kept, and win for the same setting.
  CHECK(read(db.url() + "?options=-c%20work_mem%3D8MB") ==
        std::make_pair(std::string("2s"), std::string("8MB")));
  CHECK(read(db.url() + "?options=-c%20client_connection_check_interval%3D5s") ==
        std::make_pair(std::string("5s"), std::string("4MB")));
}

TEST_CASE("postgres: a start-up setting the server refuses is exit 8 saying so",
          "[postgres][e2e]") {
  PgDatabase db;
  Project p{"dialects = [\"postgres\"]\n"};
  AddTables(p, 1, 1);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult r = p.Run({"--database", db.url() + "?options=-c%20no_such_setting%3D1", "status"});
  CHECK(r.exit_code == 8);
  CHECK_THAT(r.err, Catch::Contains("answered, but refused a setting at connection start-up") &&
                        Catch::Contains("no_such_setting"));
  CHECK_THAT(r.err, !Catch::Contains("migrate-test-only"));  // the password stays hidden
}

TEST_CASE("postgres: comments, dollar quotes and semicolons survive being sent as one message",
          "[postgres][e2e]") {
  PgProject t;
  t.p.Add("1_odd.up.sql",
          "CREATE TABLE odd (id int); -- a comment; with a semicolon\n"
          "INSERT INTO odd VALUES (1) -- no semicolon until the next line\n"
          ";\n"
          "/* a block comment; */ INSERT INTO odd VALUES (2);\n"
          "CREATE FUNCTION odd_count() RETURNS bigint LANGUAGE plpgsql AS $$\n"
          "BEGIN\n  RETURN (SELECT count(*) FROM odd); -- inside the body;\nEND;\n$$;\n"
          "INSERT INTO odd SELECT odd_count() + 1 -- ends the file;");
  t.p.Add("1_odd.down.sql", "DROP FUNCTION odd_count();\nDROP TABLE odd;\n");
  REQUIRE(t.p.Run({"build"}).exit_code == 0);
  ProcessResult r = t.p.Run({"run"}, t.env);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(t.db.Query("SELECT string_agg(id::text, ',' ORDER BY id) FROM odd") ==
        std::vector<std::string>{"1,2,3"});
}

TEST_CASE("postgres: a failing statement is located in a SQL_ASCII database too",
          "[postgres][e2e]") {
  // The server counts its error positions in bytes there: the multibyte text before the
  // failing statement must not move the blame to a later part.
  std::string name = "migrate_ascii_" + std::to_string(::getpid());
  pqxx::connection admin(PgAdminUrl());
  pqxx::nontransaction(admin).exec("CREATE DATABASE " + name +
                                   " ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' "
                                   "TEMPLATE template0");
  std::string url = PgAdminUrl();
  url = url.substr(0, url.rfind('/') + 1) + name;
  Project p{"dialects = [\"postgres\"]\n"};
  std::string many;
  for (int i = 0; i < 1300; ++i) many += "Ж";
  p.Add("1_a.up.sql",
        "CREATE TABLE t (note text DEFAULT '" + many + "');\nSELECT nosuchcol FROM t;\n");
  p.Add("1_a.down.sql", "DROP TABLE t;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult r = p.Run({"--database", url, "run"});
  pqxx::nontransaction(admin).exec("DROP DATABASE " + name + " WITH (FORCE)");
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("1_a.up.sql:2:8: statement 2 of 2 failed (SQLSTATE 42703)"));
}

TEST_CASE("postgres: COPY in a migration sent whole: TO STDOUT is read, FROM STDIN refused",
          "[postgres][e2e]") {
  PgProject t;
  t.p.Add("1_out.up.sql",
          "CREATE TABLE c (id int);\nCOPY (SELECT 1) TO STDOUT;\n"
          "INSERT INTO c VALUES (1);\n");
  t.p.Add("1_out.down.sql", "DROP TABLE c;\n");
  t.p.Add("2_in.up.sql", "INSERT INTO c VALUES (2);\nCOPY c FROM STDIN;\n");
  t.p.Add("2_in.down.sql", "DELETE FROM c WHERE id = 2;\n");
  REQUIRE(t.p.Run({"build"}).exit_code == 0);
  ProcessResult r = t.p.Run({"run"}, t.env);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("2_in.up.sql:2:1: statement 2 of 2 failed") &&
                        Catch::Contains("COPY FROM STDIN has no data in a migration"));
  // 1 ran whole (its COPY TO STDOUT did not stall the message); 2 left nothing.
  CHECK(t.db.Query("SELECT string_agg(id::text, ',') FROM c") == std::vector<std::string>{"1"});
  CHECK(t.db.Query("SELECT version FROM migrate_history") == std::vector<std::string>{"1"});
  CHECK(t.p.Run({"status"}, t.env).exit_code == 0);  // the session was left clean
}
