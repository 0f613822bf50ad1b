// `run --single-transaction` (and `transaction = "single"` in an environment): every pending
// migration and its records in one transaction, so a deploy is all or nothing, on SQLite (one
// BEGIN IMMEDIATE) and on PostgreSQL (one message: one round trip for the whole deploy); a
// no-transaction migration among them is refused before anything runs.
#include <catch2/catch.hpp>

#include "e2e/project.h"
#include "support/pg.h"
#include "support/tcp_proxy.h"

using namespace migrate::testing;

namespace {

// Five migrations; the fifth fails at its second statement when `fail` is set.
void AddFive(const Project& p, bool fail) {
  for (int i = 1; i <= 5; ++i) {
    std::string n = std::to_string(i);
    std::string up =
        "CREATE TABLE t" + n + " (id int);\nINSERT INTO t" + n + " VALUES (" + n + ");\n";
    if (i == 5 && fail) up = "CREATE TABLE t5 (id int);\nINSERT INTO t5 VALUES ('five');\n";
    p.Add(n + "_t" + n + ".up.sql", up);
    p.Add(n + "_t" + n + ".down.sql", "DROP TABLE t" + n + ";\n");
  }
}

}  // namespace

TEST_CASE("e2e: run --single-transaction on SQLite: a failing fifth leaves none of the five",
          "[e2e][sqlite]") {
  Project p;
  AddFive(p, true);
  p.Add("5_t5.sqlite.up.sql",
        "CREATE TABLE t5 (id int CHECK (id > 0));\n"
        "INSERT INTO t5 VALUES (-5);\n");
  REQUIRE(p.Run({"build", "--no-rehearse"}).exit_code == 0);  // the rehearsal would fail it
  ProcessResult r = p.Run({"run", "--single-transaction"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("5_t5.sqlite.up.sql:2:1: statement 2 of 2 failed"));
  CHECK(p.Tables().empty());
  CHECK(p.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"0"});
  CHECK(p.Query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"0"});
  // Without the failure, all five at once.
  p.Add("5_t5.sqlite.up.sql", "CREATE TABLE t5 (id int CHECK (id > 0));\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult ok = p.Run({"run", "--single-transaction"});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("Applied 5 migration(s)"));
  CHECK(p.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"5"});
}

TEST_CASE(
    "e2e: transaction = \"single\" on PostgreSQL: a failing fifth leaves none, and a "
    "whole deploy is one round trip",
    "[e2e][postgres]") {
  PgDatabase db;
  Project p("dialects = [\"postgres\"]\n");
  WriteFile(p / "config.toml",
            "[project]\ndialects = [\"postgres\"]\ndefault_env = \"prod\"\n"
            "[environments.prod]\nurl = \"${DATABASE_URL}\"\ntransaction = \"single\"\n");
  AddFive(p, true);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  std::map<std::string, std::string> env{{"DATABASE_URL", db.url()}};
  ProcessResult r = p.Run({"run"}, env);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("5_t5.up.sql:2:24: statement 2 of 2 failed (SQLSTATE 22P02)"));
  CHECK(db.Query("SELECT count(*) FROM pg_tables WHERE tablename LIKE 't_'") ==
        std::vector<std::string>{"0"});
  CHECK(db.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"0"});

  AddFive(p, false);
  p.AddTables({"6_f", "7_g", "8_h", "9_i"});
  REQUIRE(p.Run({"build"}).exit_code == 0);
  PgDatabase one, nine;
  auto round_trips = [&](const PgDatabase& target, const std::vector<std::string>& args) {
    TcpProxy proxy(target.url());
    ProcessResult run = p.Run(args, {{"DATABASE_URL", proxy.url()}});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    return proxy.round_trips();
  };
  int for_one = round_trips(one, {"run", "--to", "1"});
  int for_nine = round_trips(nine, {"run"});
  INFO("1 migration: " << for_one << " round trips; 9 in one transaction: " << for_nine);
  // One message for all nine, and one history read for their durations (each on its own would
  // cost 8 more); the proxy may see one reply in two reads.
  CHECK(for_nine - for_one <= 3);
  CHECK(nine.Query("SELECT count(*) FROM migrate_history WHERE state = 'applied'") ==
        std::vector<std::string>{"9"});
}

TEST_CASE("e2e: --single-transaction refuses a no-transaction migration before anything runs",
          "[e2e][postgres]") {
  PgDatabase db;
  Project p("dialects = [\"postgres\"]\n");
  AddFive(p, false);
  p.Add("3_t3.up.sql", "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY t2_id ON t2 (id);\n");
  p.Add("3_t3.down.sql", "-- migrate:no-transaction\nDROP INDEX CONCURRENTLY t2_id;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult r = p.Run({"--database", db.url(), "run", "--single-transaction"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("3_t3.up.sql: '-- migrate:no-transaction' cannot run inside "
                                    "--single-transaction") &&
                        Catch::Contains("nothing was applied"));
  CHECK(db.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"0"});
  CHECK(db.Query("SELECT count(*) FROM pg_tables WHERE tablename LIKE 't_'") ==
        std::vector<std::string>{"0"});
  CHECK(db.Query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"0"});
  // Up to the one before it, it runs.
  CHECK(p.Run({"--database", db.url(), "run", "--single-transaction", "--to", "2"}).exit_code == 0);
}

TEST_CASE("e2e: transaction must be \"each\" or \"single\"", "[e2e]") {
  Project p;
  WriteFile(p / "config.toml",
            "[project]\n[environments.local]\nurl = \"sqlite:test.db\"\ntransaction = \"all\"\n");
  ProcessResult r = p.Run({"status"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err,
             Catch::Contains("config.toml:4") && Catch::Contains("'transaction' must be \"each\""));
}

TEST_CASE(
    "e2e: --single-transaction on PostgreSQL: a deferred constraint fails the COMMIT, "
    "settings do not leak, each migration is timed alone",
    "[e2e][postgres]") {
  PgDatabase db;
  Project p("dialects = [\"postgres\"]\n");
  p.Add("1_a.up.sql",
        "CREATE TABLE parent (id int PRIMARY KEY);\n"
        "CREATE TABLE child (pid int REFERENCES parent DEFERRABLE INITIALLY DEFERRED);\n"
        "SELECT pg_sleep(0.3);\n");
  p.Add("1_a.down.sql", "DROP TABLE child;\nDROP TABLE parent;\n");
  p.Add("2_b.up.sql", "SET LOCAL lock_timeout = '1ms';\nSELECT pg_sleep(0.3);\n");
  p.Add("2_b.down.sql", "SELECT 1;\n");
  p.Add("3_c.up.sql",
        "CREATE TABLE seen AS SELECT current_setting('lock_timeout') AS lock_timeout;\n"
        "SELECT pg_sleep(0.3);\n");
  p.Add("3_c.down.sql", "DROP TABLE seen;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult ok = p.Run({"--database", db.url(), "run", "--single-transaction"});
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  // 2's SET LOCAL ended with 2: 3 ran with the server's default.
  CHECK(db.Query("SELECT lock_timeout FROM seen") == std::vector<std::string>{"0"});
  // Each timed from its own start, not from the start of the message.
  for (const std::string& ms : db.Query("SELECT duration_ms FROM migrate_history")) {
    CHECK(std::stol(ms) >= 250);
    CHECK(std::stol(ms) < 600);
  }

  PgDatabase other;
  p.Add("4_d.up.sql", "INSERT INTO child VALUES (42);\n");  // no parent 42: fails at COMMIT
  p.Add("4_d.down.sql", "DELETE FROM child;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult r = p.Run({"--database", other.url(), "run", "--single-transaction"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("the COMMIT of the single transaction of 4 migrations failed "
                                    "(deferred constraints are checked there); none of them is "
                                    "applied") &&
                        Catch::Contains("violates foreign key constraint"));
  CHECK(other.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"0"});
}
