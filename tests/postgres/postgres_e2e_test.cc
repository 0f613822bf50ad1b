// End to end on the real PostgreSQL server that scripts/test starts (MIGRATE_TEST_PG_URL).
#include <signal.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <thread>

#include "e2e/project.h"
#include "support/json_lines.h"
#include "support/pg.h"

using namespace migrate::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// A project whose database is a fresh PostgreSQL database.
struct PgProject {
  PgDatabase db;
  Project project{"dialects = [\"postgres\"]\n"};

  ProcessResult Run(std::vector<std::string> args) const {
    return project.Run(args, {{"DATABASE_URL", db.url()}});
  }
  std::vector<std::string> History() const {
    return db.Query("SELECT version FROM migrate_history ORDER BY version::numeric");
  }
};

}  // namespace

TEST_CASE(
    "postgres: a failure at the third statement names file:line:column and SQLSTATE, "
    "and leaves nothing",
    "[postgres][e2e]") {
  PgProject p;
  p.project.Add("1_accounts.up.sql",
                "CREATE TABLE accounts (id int PRIMARY KEY, name text);\n"
                "INSERT INTO accounts VALUES (1, 'a');\n"
                "INSERT INTO accounts (id, nickname)\n  VALUES (2, 'b');\n");
  p.project.Add("1_accounts.down.sql", "DROP TABLE accounts;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult r = p.Run({"run"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err,
             Catch::Contains("1_accounts.up.sql:3:27") && Catch::Contains("statement 3 of 3") &&
                 Catch::Contains("SQLSTATE 42703") &&
                 Catch::Contains("column \"nickname\" of relation \"accounts\" does not exist"));
  CHECK(p.db.Query("SELECT to_regclass('accounts')::text") == std::vector<std::string>{""});
  CHECK(p.History().empty());
  CHECK(p.db.Query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"0"});
}

TEST_CASE("postgres: a file's own BEGIN/COMMIT runs inside migrate's transaction",
          "[postgres][e2e]") {
  PgProject p;
  p.project.Add("1_w.up.sql", "BEGIN;\nCREATE TABLE w (x int);\nCOMMIT;\n");
  p.project.Add("1_w.down.sql", "BEGIN;\nDROP TABLE w;\nCOMMIT;\n");
  p.project.Add("2_v.up.sql",
                "BEGIN;\nCREATE TABLE v (x int);\nINSERT INTO nope VALUES (1);\nCOMMIT;\n");
  p.project.Add("2_v.down.sql", "DROP TABLE v;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  CHECK(p.Run({"run"}).exit_code == 1);
  CHECK(p.History() == std::vector<std::string>{"1"});
  CHECK(p.db.Query("SELECT to_regclass('v')::text") == std::vector<std::string>{""});
}

TEST_CASE("postgres: a server WARNING reaches stderr, a NOTICE does not", "[postgres][e2e]") {
  PgProject p;
  p.project.Add("1_w.up.sql",
                "DO $$ BEGIN RAISE WARNING 'mind the gap'; RAISE NOTICE 'just so'; END $$;\n");
  p.project.Add("1_w.down.sql", "SELECT 1;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult r = p.Run({"run"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("migrate: server WARNING:  mind the gap"));
  CHECK_THAT(r.err, !Catch::Contains("just so"));
}

TEST_CASE("postgres: lock_timeout from a directive stops a blocked migration", "[postgres][e2e]") {
  PgProject p;
  p.project.Add("1_t.up.sql", "CREATE TABLE t (x int);\n");
  p.project.Add("1_t.down.sql", "DROP TABLE t;\n");
  p.project.Add("2_alter.up.sql",
                "-- migrate:lock-timeout 300ms\nALTER TABLE t ADD COLUMN y int;\n");
  p.project.Add("2_alter.down.sql", "ALTER TABLE t DROP COLUMN y;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "1"}).exit_code == 0);
  pqxx::connection reader(p.db.url());
  pqxx::work holding(reader);
  holding.exec("SELECT * FROM t");  // holds ACCESS SHARE until the end of this transaction
  auto t0 = std::chrono::steady_clock::now();
  ProcessResult r = p.Run({"run"});
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("SQLSTATE 55P03") && Catch::Contains("2_alter.up.sql:2:1"));
  holding.abort();
  CHECK(p.Run({"run"}).exit_code == 0);
  CHECK(p.History() == std::vector<std::string>{"1", "2"});
}

TEST_CASE("postgres: CREATE INDEX CONCURRENTLY completes while seven other runners wait",
          "[postgres][e2e]") {
  PgProject p;
  p.project.Add("1_events.up.sql",
                "CREATE TABLE events (id bigint PRIMARY KEY, kind int NOT NULL);\n"
                "INSERT INTO events SELECT g, g % 97 FROM generate_series(1, 300000) g;\n");
  p.project.Add("1_events.down.sql", "DROP TABLE events;\n");
  p.project.Add(
      "2_events_kind.up.sql",
      "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY events_kind ON events (kind);\n");
  p.project.Add("2_events_kind.down.sql",
                "-- migrate:no-transaction\nDROP INDEX CONCURRENTLY events_kind;\n");
  p.project.Add("3_more.up.sql", "ALTER TABLE events ADD COLUMN note text;\n");
  p.project.Add("3_more.down.sql", "ALTER TABLE events DROP COLUMN note;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  std::vector<ChildProcess> runners;
  for (int i = 0; i < 8; ++i) {
    runners.push_back(StartMigrate({"--json", "--lock-wait", "120s", "run"}, p.project.dir().path(),
                                   {{"DATABASE_URL", p.db.url()}}));
  }
  std::size_t applied = 0;
  for (ChildProcess& c : runners) {
    ProcessResult r = Wait(c, 180);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    if (r.exit_code == 0) applied += RunSummary(r.out)["steps"].size();
  }
  CHECK(applied == 3);
  CHECK(p.History() == std::vector<std::string>{"1", "2", "3"});
  CHECK(p.db.Query(
            "SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'events_kind'::regclass") ==
        std::vector<std::string>{"true"});
  CHECK(p.db.Query("SELECT count(*) FROM migrate_log WHERE event = 'up'") ==
        std::vector<std::string>{"3"});
}

TEST_CASE(
    "postgres: kill -9 during a no-transaction migration leaves 'started', run exits 6 "
    "until repair",
    "[postgres][e2e]") {
  PgProject p;
  p.project.Add("1_k.up.sql",
                "-- migrate:no-transaction\nCREATE TABLE k (id int);\nSELECT pg_sleep(60);\n"
                "CREATE INDEX CONCURRENTLY k_id ON k (id);\n");
  p.project.Add("1_k.down.sql", "DROP TABLE k;\n");
  p.project.Add("2_after.up.sql", "CREATE TABLE after_k (id int);\n");
  p.project.Add("2_after.down.sql", "DROP TABLE after_k;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ChildProcess child =
      StartMigrate({"run"}, p.project.dir().path(), {{"DATABASE_URL", p.db.url()}});
  bool reached = false;
  for (int i = 0; i < 200 && !reached; ++i) {
    std::this_thread::sleep_for(50ms);
    try {
      reached = p.db.Query("SELECT progress::text FROM migrate_history WHERE state = 'started'") ==
                std::vector<std::string>{"1"};
    } catch (const std::exception&) {
      // the tables may not exist yet
    }
  }
  REQUIRE(reached);
  ::kill(child.pid, SIGKILL);
  CHECK(Wait(child).exit_code == 128 + SIGKILL);

  auto t0 = std::chrono::steady_clock::now();
  ProcessResult r = p.Run({"--lock-wait", "30s", "run"});
  CHECK(std::chrono::steady_clock::now() - t0 < 20s);  // the dead session freed the lock
  CHECK(r.exit_code == 6);
  CHECK_THAT(r.err, Catch::Contains("1_k") && Catch::Contains("1 of 3 statements completed") &&
                        Catch::Contains("statement 2") && Catch::Contains("migrate repair 1"));
  CHECK(p.History() == std::vector<std::string>{"1"});
  CHECK(p.db.Query("SELECT to_regclass('after_k')::text") == std::vector<std::string>{""});

  ProcessResult list = p.Run({"repair"});
  CHECK(list.exit_code == 0);
  CHECK_THAT(list.out, Catch::Contains("started  1  k  (1 statement(s) completed"));
  CHECK(p.Run({"repair", "1"}).exit_code == 2);  // must say what was done by hand
  CHECK(p.Run({"repair", "2", "--applied"}).exit_code == 2);
  // The DBA finishes it by hand, then records that.
  p.db.Query("CREATE INDEX k_id ON k (id)");
  ProcessResult repaired = p.Run({"repair", "1", "--applied"});
  CHECK(repaired.exit_code == 0);
  CHECK(p.Run({"run"}).exit_code == 0);
  CHECK(p.History() == std::vector<std::string>{"1", "2"});
  CHECK(p.db.Query("SELECT event FROM migrate_log WHERE event = 'repair'") ==
        std::vector<std::string>{"repair"});
}

TEST_CASE(
    "postgres: bad credentials and an unreachable server exit 8, differently, without "
    "the password",
    "[postgres][e2e]") {
  PgProject p;
  p.project.Add("1_a.up.sql", "CREATE TABLE a (x int);\n");
  p.project.Add("1_a.down.sql", "DROP TABLE a;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  const std::string canary = "Wr0ng-Canary-91c";
  std::string url = p.db.url();
  std::string bad = "postgres://postgres:" + canary + url.substr(url.find('@'));
  ProcessResult auth = p.project.Run({"--database", bad, "run"});
  CHECK(auth.exit_code == 8);
  CHECK_THAT(auth.err, Catch::Contains("refused the login") &&
                           Catch::Contains("password authentication failed"));
  CHECK_THAT(auth.out + auth.err, !Catch::Contains(canary));

  ProcessResult down = p.project.Run(
      {"run"}, {{"DATABASE_URL", "postgresql://postgres:" + canary + "@127.0.0.1:1/x"}});
  CHECK(down.exit_code == 8);
  CHECK_THAT(down.err,
             Catch::Contains("cannot reach PostgreSQL at postgresql://postgres:***@127.0.0.1:1/x"));
  CHECK_THAT(down.out + down.err, !Catch::Contains(canary));
  CHECK_THAT(down.err, !Catch::Contains("refused the login"));

  ProcessResult json =
      p.project.Run({"--json", "status"}, {{"DATABASE_URL", bad}, {"PGPASSWORD", canary}});
  CHECK(json.exit_code == 8);
  CHECK_THAT(json.out + json.err, !Catch::Contains(canary));
}

TEST_CASE("postgres: the conformance of status and down on a real server", "[postgres][e2e]") {
  PgProject p;
  for (const char* t : {"1_a", "2_b", "3_c"}) {
    std::string table = std::string(t).substr(2);
    p.project.Add(std::string(t) + ".up.sql", "CREATE TABLE " + table + " (id int);\n");
    p.project.Add(std::string(t) + ".down.sql", "DROP TABLE " + table + ";\n");
  }
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run"}).exit_code == 0);
  auto status = nlohmann::json::parse(p.Run({"status", "--json"}).out);
  CHECK(status["driver"] == "postgres");
  CHECK(status["migrations"][2]["state"] == "applied");
  CHECK(p.Run({"down", "--to", "1"}).exit_code == 0);
  CHECK(p.History() == std::vector<std::string>{"1"});
  CHECK(p.Run({"down", "--all"}).exit_code == 0);
  CHECK(p.History().empty());
}

TEST_CASE("postgres: lock_timeout from the environment's config applies to every migration",
          "[postgres][e2e]") {
  PgProject p;
  WriteFile(p.project / "config.toml",
            "[project]\ndialects = [\"postgres\"]\n\n[environments.staging]\n"
            "url = \"${STAGING_URL}\"\nlock_timeout = \"300ms\"\n");
  p.project.Add("1_t.up.sql", "CREATE TABLE t (x int);\n");
  p.project.Add("1_t.down.sql", "DROP TABLE t;\n");
  p.project.Add("2_alter.up.sql", "ALTER TABLE t ADD COLUMN y int;\n");
  p.project.Add("2_alter.down.sql", "ALTER TABLE t DROP COLUMN y;\n");
  std::map<std::string, std::string> env{{"STAGING_URL", p.db.url()}};
  REQUIRE(p.project.Run({"build"}).exit_code == 0);
  REQUIRE(p.project.Run({"--env", "staging", "run", "--to", "1"}, env).exit_code == 0);
  pqxx::connection reader(p.db.url());
  pqxx::work holding(reader);
  holding.exec("SELECT * FROM t");
  ProcessResult r = p.project.Run({"--env", "staging", "run"}, env);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("SQLSTATE 55P03"));
  holding.abort();
  ProcessResult unset = p.project.Run({"--env", "staging", "run"});
  CHECK(unset.exit_code == 2);
  CHECK_THAT(unset.err,
             Catch::Contains("config.toml:5:7") && Catch::Contains("STAGING_URL is not set"));
}

TEST_CASE("postgres: a history table of an older migrate is upgraded in place, rows kept",
          "[postgres]") {
  PgDatabase db;
  db.Query(  // the history DDL before the baseline state existed
      "CREATE TABLE migrate_history (version text PRIMARY KEY, slug text NOT NULL, checksum text"
      " NOT NULL, down_checksum text, state text NOT NULL CHECK (state IN ('applied','started')),"
      " progress integer NOT NULL DEFAULT 0, applied_at timestamptz NOT NULL DEFAULT"
      " clock_timestamp(), duration_ms bigint NOT NULL DEFAULT 0, applied_by text NOT NULL,"
      " tool_version text NOT NULL, run_id text NOT NULL, fingerprint text);"
      "INSERT INTO migrate_history (version, slug, checksum, state, applied_by, tool_version,"
      " run_id) VALUES ('1', 'a', 'sum', 'applied', 'me@h:1', 'migrate 0.0.9', 'r')");
  Project p("dialects = [\"postgres\"]\n");
  p.Add("1_a.up.sql", "SELECT 1;\n");
  p.Add("1_a.down.sql", "SELECT 1;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  std::map<std::string, std::string> env{{"DATABASE_URL", db.url()}};
  CHECK(p.Run({"drift", "--accept"}, env).exit_code == 0);  // creates the tables it lacks
  CHECK(db.Query("SELECT count(*) FROM pg_constraint WHERE conrelid = 'migrate_history'::regclass"
                 " AND pg_get_constraintdef(oid) LIKE '%baseline%'") ==
        std::vector<std::string>{"1"});
  CHECK(db.Query("SELECT applied_by FROM migrate_history") == std::vector<std::string>{"me@h:1"});
  db.Query(
      "INSERT INTO migrate_history (version, slug, checksum, state, applied_by,"
      " tool_version, run_id) VALUES ('2', 'b', 's', 'baseline', 'x', 'y', 'z')");
}

TEST_CASE("postgres: baseline --check without CREATEDB says so, and changes nothing",
          "[postgres][e2e]") {
  PgDatabase db;
  db.Query(  // roles are the cluster's: made once, left for the next run
      "DO $$ BEGIN CREATE ROLE migrate_no_createdb LOGIN PASSWORD 'not-a-secret-42' NOCREATEDB;"
      " EXCEPTION WHEN duplicate_object THEN NULL; END $$;"
      "GRANT ALL ON SCHEMA public TO migrate_no_createdb");
  std::string url = db.url();
  std::string limited =
      "postgres://migrate_no_createdb:not-a-secret-42@" + url.substr(url.find('@') + 1);
  Project p("dialects = [\"postgres\"]\n");
  p.Add("1_a.up.sql", "CREATE TABLE a (id int);\n");
  p.Add("1_a.down.sql", "DROP TABLE a;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult r = p.Run({"baseline", "--check", "1"}, {{"DATABASE_URL", limited}});
  CHECK(r.exit_code == 8);
  CHECK_THAT(r.err, Catch::Contains("CREATE DATABASE") && Catch::Contains("permission denied") &&
                        !Catch::Contains("not-a-secret-42"));
  CHECK(db.Query("SELECT to_regclass('migrate_history')::text") == std::vector<std::string>{""});
}

TEST_CASE("postgres: a migration that empties search_path (as pg_dump's do) keeps its history",
          "[postgres][e2e]") {
  PgProject p;
  p.project.Add("1_dump.up.sql",
                "SELECT pg_catalog.set_config('search_path', '', false);\n"
                "CREATE TABLE public.t (x int);\n");
  p.project.Add("1_dump.down.sql", "DROP TABLE public.t;\n");
  p.project.Add("2_next.up.sql", "CREATE TABLE public.u (x int);\n");
  p.project.Add("2_next.down.sql", "DROP TABLE public.u;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult run = p.Run({"run"});
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(p.History() == std::vector<std::string>{"1", "2"});
  CHECK(p.Run({"drift"}).exit_code == 0);  // migrate's own tables stay out of the snapshot
  CHECK(p.Run({"down", "--all"}).exit_code == 0);

  // The psql script of plan --format sql does the same.
  ProcessResult sql = p.Run({"plan", "--format", "sql"});
  REQUIRE(sql.exit_code == 0);
  WriteFile(p.project / "plan.sql", sql.out);
  std::string psql = "/usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1 -d '" + p.db.url() +
                     "' -f " + (p.project / "plan.sql").string() + " > /dev/null 2>&1";
  CHECK(std::system(psql.c_str()) == 0);
  CHECK(p.History() == std::vector<std::string>{"1", "2"});
}

TEST_CASE("postgres: a no-transaction file's own BEGIN that fails or stays open is rolled back",
          "[postgres][e2e]") {
  PgProject p;
  p.project.Add("1_a.up.sql",
                "-- migrate:no-transaction\nCREATE TABLE a (x int);\nBEGIN;\n"
                "CREATE TABLE b (x int);\nSELECT 1/0;\nCOMMIT;\n");
  p.project.Add("1_a.down.sql", "DROP TABLE a;\n");
  p.project.Add("2_c.up.sql",
                "-- migrate:no-transaction\nCREATE TABLE c (x int);\nBEGIN;\n"
                "CREATE TABLE d (x int);\n");
  p.project.Add("2_c.down.sql", "DROP TABLE c;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult failed = p.Run({"run"});
  CHECK(failed.exit_code == 1);
  CHECK_THAT(failed.err, Catch::Contains("division by zero"));
  // The failed block did not swallow the lock's release.
  CHECK(p.db.Query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"0"});
  CHECK(p.db.Query("SELECT state || ' ' || progress FROM migrate_history") ==
        std::vector<std::string>{"started 1"});
  REQUIRE(p.Run({"repair", "1", "--applied"}).exit_code == 0);
  ProcessResult open = p.Run({"run"});
  CHECK(open.exit_code == 1);
  CHECK_THAT(open.err, Catch::Contains("2_c.up.sql: the file leaves a transaction open"));
  CHECK(p.db.Query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"0"});
  CHECK(p.db.Query("SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE "
                   "relname IN ('a', 'b', 'c', 'd')") == std::vector<std::string>{"a,c"});
}
