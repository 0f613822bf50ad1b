// postgres_version against the real server that scripts/test starts (MIGRATE_TEST_PG_URL,
// PostgreSQL 15): run warns when the server is older than the version the migrations are
// written for, status shows the server's version, and what the PostgreSQL 15 grammar could
// not check is checked by the server when it runs.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "e2e/project.h"
#include "support/pg.h"

using namespace migrate::testing;

TEST_CASE(
    "postgres: run warns when the server is older than postgres_version, status shows "
    "its version",
    "[postgres][e2e]") {
  PgDatabase db;
  int server = std::stoi(db.Query("SHOW server_version_num").at(0));
  std::string shown = std::to_string(server / 10000) + "." + std::to_string(server % 10000);
  REQUIRE(server / 10000 < 17);  // the test server is older than the target below
  Project p("dialects = [\"postgres\"]\npostgres_version = 17\n");
  std::map<std::string, std::string> env{{"DATABASE_URL", db.url()}};
  p.Add("1_accounts.up.sql", "CREATE TABLE accounts (id int PRIMARY KEY, email text);\n");
  p.Add("1_accounts.down.sql", "DROP TABLE accounts;\n");
  REQUIRE(p.Run({"build"}, env).exit_code == 0);

  std::string warning = "warning: the server runs PostgreSQL " + shown + ", older";
  ProcessResult run = p.Run({"run"}, env);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.err, Catch::Contains(warning) &&
                          Catch::Contains("older than the 17 the migrations are written for"));
  ProcessResult noop = p.Run({"run"}, env);  // the no-op path warns too, without a query
  CHECK(noop.exit_code == 0);
  CHECK_THAT(noop.err, Catch::Contains(warning));
  CHECK_THAT(noop.out, Catch::Contains("Nothing to do"));

  ProcessResult status = p.Run({"status"}, env);
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("(postgres " + shown + ")"));
  ProcessResult json = p.Run({"status", "--json"}, env);
  REQUIRE(json.exit_code == 0);
  nlohmann::json j = nlohmann::json::parse(json.out);
  CHECK(j["server_version_num"] == server);
  CHECK(j["server_version"] == shown);

  // A target the server meets: no warning.
  WriteFile(p / "config.toml", "[project]\ndialects = [\"postgres\"]\npostgres_version = " +
                                   std::to_string(server / 10000) + "\n");
  CHECK_THAT(p.Run({"run"}, env).err, !Catch::Contains("older than"));
}

TEST_CASE("postgres: a statement newer than the 15 grammar is checked by the server when it runs",
          "[postgres][e2e]") {
  PgDatabase db;
  REQUIRE(std::stoi(db.Query("SHOW server_version_num").at(0)) < 180000);
  Project p("dialects = [\"postgres\"]\npostgres_version = 18\n");
  std::map<std::string, std::string> env{{"DATABASE_URL", db.url()}};
  p.Add("1_accounts.up.sql",
        "CREATE TABLE accounts (id int PRIMARY KEY, email text);\n"
        "ALTER TABLE accounts ADD CONSTRAINT accounts_email_nn NOT NULL email;\n");
  p.Add("1_accounts.down.sql", "DROP TABLE accounts;\n");
  ProcessResult build = p.Run({"build"}, env);
  REQUIRE(build.exit_code == 0);
  CHECK_THAT(build.err, Catch::Contains("1_accounts.up.sql:2:1: warning[unchecked-syntax]"));

  // plan: the statement's lock is unknown, and lint says so.
  ProcessResult plan = p.Run({"plan"}, env);
  CHECK(plan.exit_code == 0);
  CHECK_THAT(plan.out, Catch::Contains("unknown") && Catch::Contains("[unchecked-syntax] line 2"));

  // The PostgreSQL 15 server refuses it: the second statement, nothing left behind.
  ProcessResult run = p.Run({"run"}, env);
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.err, Catch::Contains("1_accounts.up.sql:2:") &&
                          Catch::Contains("statement 2 of 2") && Catch::Contains("42601"));
  CHECK(db.Query("SELECT to_regclass('accounts')::text") == std::vector<std::string>{""});
}
