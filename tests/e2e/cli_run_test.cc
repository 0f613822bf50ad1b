// End to end: `migrate run`, `status`, `down` and `unlock` through the real binary on SQLite.
#include <SQLiteCpp/SQLiteCpp.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "e2e/project.h"
#include "support/json_lines.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

TEST_CASE("e2e: run applies what is in dist/, one line per migration", "[e2e]") {
  Project p;
  p.AddTables({"1_a", "2_b", "3_c", "4_d"});
  REQUIRE(p.Run({"build"}).exit_code == 0);
  p.Add("5_e.up.sql", "CREATE TABLE e (id int);\n");  // not built: must not run
  p.Add("5_e.down.sql", "DROP TABLE e;\n");
  ProcessResult r = p.Run({"run"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("applied  1  a  (") && Catch::Contains("applied  4  d  (") &&
                        Catch::Contains("Applied 4 migration(s) in"));
  CHECK(p.Tables() == std::vector<std::string>{"a", "b", "c", "d"});
  ProcessResult again = p.Run({"run"});
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("Nothing to do"));
  CHECK(p.Run({"build", "--check"}).exit_code == 3);
}

TEST_CASE("e2e: run --to and --dry-run", "[e2e]") {
  Project p;
  p.AddTables({"1_a", "2_b", "3_c", "4_d"});
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult dry = p.Run({"run", "--dry-run"});
  CHECK(dry.exit_code == 0);
  CHECK_THAT(dry.out, Catch::Contains("rehearsed 3  c"));
  CHECK(!fs::exists(p / "test.db"));  // rehearsed on an empty database, no file created
  CHECK(p.Run({"run", "--to", "2"}).exit_code == 0);
  CHECK(p.History() == std::vector<std::string>{"1", "2"});
  CHECK(p.Run({"run", "--to", "7"}).exit_code == 2);
}

TEST_CASE("e2e: a migration failing halfway leaves nothing, then applies after the fix", "[e2e]") {
  Project p;
  p.AddTables({"1_a", "2_b", "3_c", "4_d"});
  // Passes the build's rehearsal on an empty database; fails on the data of this one.
  p.Add("3_c.up.sql",
        "CREATE TABLE c (id INTEGER PRIMARY KEY);\nINSERT INTO c (id) SELECT 1 FROM b;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "2"}).exit_code == 0);
  {
    SQLite::Database db((p / "test.db").string(), SQLite::OPEN_READWRITE);
    db.exec("INSERT INTO b VALUES (10), (11)");
  }
  ProcessResult r = p.Run({"run"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("3_c.up.sql:2:") &&
                        Catch::Contains("UNIQUE constraint failed") &&
                        Catch::Contains("INSERT INTO c (id) SELECT 1 FROM b"));
  CHECK(p.History() == std::vector<std::string>{"1", "2"});
  CHECK(p.Tables() == std::vector<std::string>{"a", "b"});
  CHECK(p.Query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"0"});

  p.Add("3_c.up.sql",
        "CREATE TABLE c (id INTEGER PRIMARY KEY);\nINSERT INTO c (id) SELECT DISTINCT 1 FROM b;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  CHECK(p.Run({"run"}).exit_code == 0);
  CHECK(p.History() == std::vector<std::string>{"1", "2", "3", "4"});
}

TEST_CASE("e2e: status shows applied and pending, --json is valid JSON", "[e2e]") {
  Project p;
  p.AddTables({"1_a", "2_b", "3_c", "4_d"});
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "2"}).exit_code == 0);
  ProcessResult text = p.Run({"status"});
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("applied  1  a  20") && Catch::Contains(" ms\n") &&
                           Catch::Contains("pending  3  c") &&
                           Catch::Contains("2 applied, 2 pending"));
  ProcessResult js = p.Run({"status", "--json"});
  REQUIRE(js.exit_code == 0);
  auto j = nlohmann::json::parse(js.out);
  REQUIRE(j["migrations"].size() == 4);
  CHECK(j["migrations"][0]["state"] == "applied");
  CHECK(j["migrations"][0]["applied_at"].get<std::string>().size() == 24);
  CHECK(j["migrations"][0].contains("duration_ms"));
  CHECK(j["migrations"][3]["state"] == "pending");
  CHECK(j["findings"].empty());
  auto run = RunSummary(p.Run({"run", "--json"}).out);
  CHECK(run["steps"].size() == 2);
  CHECK(run["steps"][0]["version"] == "3");
}

TEST_CASE("e2e: down, down N, down --to V and down --all", "[e2e]") {
  Project p;
  p.AddTables({"1_a", "2_b", "3_c", "4_d"});
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run"}).exit_code == 0);
  ProcessResult one = p.Run({"down"});
  CHECK(one.exit_code == 0);
  CHECK_THAT(one.out, Catch::Contains("reverted 4  d"));
  CHECK(p.History() == std::vector<std::string>{"1", "2", "3"});
  CHECK(p.Run({"down", "2"}).exit_code == 0);
  CHECK(p.History() == std::vector<std::string>{"1"});
  REQUIRE(p.Run({"run"}).exit_code == 0);
  CHECK(p.Run({"down", "--to", "2"}).exit_code == 0);
  CHECK(p.History() == std::vector<std::string>{"1", "2"});
  CHECK(p.Run({"down", "--all"}).exit_code == 0);
  CHECK(p.History().empty());
  CHECK(p.Tables().empty());
  CHECK(p.Query("SELECT event FROM migrate_log ORDER BY id DESC LIMIT 1") ==
        std::vector<std::string>{"down"});
  CHECK(p.Run({"down", "2", "--all"}).exit_code == 2);
}

TEST_CASE("e2e: down stops before an irreversible migration", "[e2e]") {
  Project p;
  p.AddTables({"1_a", "2_b", "3_c", "4_d"});
  fs::remove(p / "migrations/2_b.down.sql");
  p.Add("2_b.up.sql", "-- migrate:irreversible\nCREATE TABLE b (id int);\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run"}).exit_code == 0);
  ProcessResult r = p.Run({"down", "--all"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("2_b is irreversible"));
  CHECK(p.History().size() == 4);  // nothing was reverted
}

TEST_CASE("e2e: a held lock makes run wait, then exit 5 naming the holder, unlock frees it",
          "[e2e]") {
  Project p;
  p.AddTables({"1_a", "2_b", "3_c", "4_d"});
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "1"}).exit_code == 0);
  {
    SQLite::Database db((p / "test.db").string(), SQLite::OPEN_READWRITE);
    db.exec(
        "INSERT INTO migrate_lock VALUES (1, 'deploy@runner-3:4242', 'abc123', "
        "'2026-11-25T10:00:00.000Z', '2999-01-01T00:00:00.000Z')");
  }
  auto t0 = std::chrono::steady_clock::now();
  ProcessResult r = p.Run({"--lock-wait", "1s", "run"});
  auto waited = std::chrono::steady_clock::now() - t0;
  CHECK(r.exit_code == 5);
  CHECK(waited >= std::chrono::milliseconds(900));
  CHECK_THAT(r.out, Catch::Contains("Waiting for the migration lock held by deploy@runner-3:4242"));
  CHECK_THAT(r.err, Catch::Contains("deploy@runner-3:4242") &&
                        Catch::Contains("since 2026-11-25T10:00:00.000Z") &&
                        Catch::Contains("migrate unlock"));
  CHECK(p.History().size() == 1);
  ProcessResult status = p.Run({"status"});
  CHECK_THAT(status.out, Catch::Contains("Lock held by deploy@runner-3:4242"));

  ProcessResult unlock = p.Run({"unlock"});
  CHECK(unlock.exit_code == 0);
  CHECK_THAT(unlock.out, Catch::Contains("deploy@runner-3:4242"));
  CHECK(p.Run({"run"}).exit_code == 0);
  CHECK(p.History().size() == 4);
}

TEST_CASE("e2e: an edited applied migration is drift, exit 4, nothing runs", "[e2e]") {
  Project p;
  p.AddTables({"1_a", "2_b", "3_c", "4_d"});
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "2"}).exit_code == 0);
  p.Add("2_b.up.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY, x int);\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult r = p.Run({"run"});
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains("2_b.up.sql changed after it was applied"));
  CHECK(p.History().size() == 2);
  CHECK(p.Run({"status"}).exit_code == 4);
}

TEST_CASE("e2e: a tampered bundle is refused before the database is touched", "[e2e]") {
  Project p;
  p.AddTables({"1_a", "2_b", "3_c", "4_d"});
  REQUIRE(p.Run({"build"}).exit_code == 0);
  WriteFile(p / "dist/migrations/3_c.up.sql", "DROP TABLE a;\n");
  ProcessResult r = p.Run({"run"});
  CHECK(r.exit_code == 7);
  CHECK_THAT(r.err, Catch::Contains("3_c.up.sql was changed after the build"));
  CHECK_FALSE(fs::exists(p / "test.db"));
  fs::remove_all(p / "dist");
  ProcessResult none = p.Run({"run"});
  CHECK(none.exit_code == 7);
  CHECK_THAT(none.err, Catch::Contains("run 'migrate build' first"));
}

TEST_CASE("e2e: DATABASE_URL and --database override the config, passwords never print", "[e2e]") {
  Project p;
  p.AddTables({"1_a", "2_b", "3_c", "4_d"});
  REQUIRE(p.Run({"build"}).exit_code == 0);
  CHECK(p.Run({"run"}, {{"DATABASE_URL", "sqlite:other.db"}}).exit_code == 0);
  CHECK(fs::exists(p / "other.db"));
  CHECK_FALSE(fs::exists(p / "test.db"));
  CHECK(p.Run({"--database", "sqlite:third.db", "run"}, {{"DATABASE_URL", "sqlite:other.db"}})
            .exit_code == 0);
  CHECK(fs::exists(p / "third.db"));

  const std::string canary = "Canary-s3cr3t-7f1e";
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--database", "postgres://app:" + canary + "@127.0.0.1:1/shop", "status"},
           {"--database", "mysql://app:" + canary + "@127.0.0.1/shop", "run"},
           {"--json", "--database", "postgres://app@127.0.0.1:1/shop?password=" + canary, "run"}}) {
    ProcessResult r = p.Run(args);
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.out + r.err, !Catch::Contains(canary));
    CHECK_THAT(r.out + r.err, Catch::Contains("***"));
  }
}

TEST_CASE("e2e: concurrent runners apply each migration exactly once", "[e2e]") {
  Project p;
  for (int i = 1; i <= 20; ++i) {
    std::string v = std::to_string(i);
    // Each migration does a little real work so that the runners overlap.
    p.Add(v + "_t" + v + ".up.sql",
          "CREATE TABLE t" + v +
              " (x INTEGER);\n"
              "INSERT INTO t" +
              v +
              " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
              "WHERE i < 20000) SELECT i FROM n;\n");
    p.Add(v + "_t" + v + ".down.sql", "DROP TABLE t" + v + ";\n");
  }
  REQUIRE(p.Run({"build"}).exit_code == 0);
  std::vector<std::thread> runners;
  std::vector<ProcessResult> results(4);
  for (int i = 0; i < 4; ++i) {
    runners.emplace_back([&, i] { results[i] = p.Run({"--json", "run"}); });
  }
  for (auto& t : runners) t.join();
  std::size_t applied = 0;
  for (const ProcessResult& r : results) {
    INFO(r.err);
    CHECK(r.exit_code == 0);
    applied += RunSummary(r.out)["steps"].size();
  }
  CHECK(applied == 20);
  CHECK(p.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"20"});
  CHECK(p.Query("SELECT count(*) FROM migrate_log WHERE event = 'up'") ==
        std::vector<std::string>{"20"});
  CHECK(p.Query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"0"});
}

TEST_CASE("e2e: status before the first run, and an unwritable dist, fail clearly", "[e2e]") {
  Project p;
  p.AddTables({"1_a", "2_b", "3_c", "4_d"});
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult status = p.Run({"status"});
  CHECK(status.exit_code == 8);
  CHECK_THAT(status.err, Catch::Contains("no SQLite database at") && Catch::Contains("test.db"));
  CHECK(p.Run({"down"}).exit_code == 8);

  WriteFile(p / "blocker", "a file where a folder should be\n");
  WriteFile(p / "config.toml", "[project]\ndist = \"blocker/migrations\"\n");
  ProcessResult build = p.Run({"build"});
  CHECK(build.exit_code == 1);
  CHECK_THAT(build.err, Catch::Contains("blocker"));
}

TEST_CASE("e2e: a reformatted applied file is a note, a changed value is drift", "[e2e]") {
  Project p;
  p.AddTables({"1_a", "2_b", "3_c", "4_d"});
  p.Add("2_b.up.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY, n INTEGER DEFAULT 1);\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "2"}).exit_code == 0);
  CHECK(p.Query("SELECT length(fingerprint) FROM migrate_history WHERE version = '2'") ==
        std::vector<std::string>{"64"});
  p.Add(
      "2_b.up.sql",
      "-- The b table.\ncreate table b (\n  id integer primary key,\n  n integer default 1\n);\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult run = p.Run({"run"});
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.err, Catch::Contains("note: 2_b.up.sql was reformatted after it was applied"));
  CHECK(p.History() == std::vector<std::string>{"1", "2", "3", "4"});
  ProcessResult noted = p.Run({"status"});
  CHECK(noted.exit_code == 0);
  CHECK_THAT(noted.out, Catch::Contains("  ~ 2_b.up.sql was reformatted"));

  p.Add("2_b.up.sql", "create table b (\n  id integer primary key,\n  n integer default 2\n);\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult drift = p.Run({"status"});
  CHECK(drift.exit_code == 4);
  CHECK_THAT(drift.out, Catch::Contains("2_b.up.sql changed after it was applied"));
}

TEST_CASE("e2e: a no-op run writes nothing and does not wait for a held lock", "[e2e]") {
  Project p;
  p.AddTables({"1_a", "2_b", "3_c", "4_d"});
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run"}).exit_code == 0);
  {
    SQLite::Database db((p / "test.db").string(), SQLite::OPEN_READWRITE);
    db.exec(
        "INSERT INTO migrate_lock VALUES (1, 'deploy@runner-3:4242', 'abc123', "
        "'2026-11-25T10:00:00.000Z', '2999-01-01T00:00:00.000Z')");
  }
  std::string before = ReadFile(p / "test.db");
  ProcessResult r = p.Run({"--lock-wait", "1h", "run"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("Nothing to do"));
  ProcessResult status = p.Run({"status"});
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("4 applied, 0 pending") &&
                             Catch::Contains("applied  4  d") &&
                             Catch::Contains("Lock held by deploy@runner-3:4242"));
  CHECK(ReadFile(p / "test.db") == before);
  // A grown dist folder is still refused before anything connects.
  WriteFile(p / "dist/migrations/9_extra.up.sql", "SELECT 1;");
  ProcessResult grown = p.Run({"run"});
  CHECK(grown.exit_code == 7);
  CHECK_THAT(grown.err, Catch::Contains("9_extra.up.sql is not in the manifest"));
}

TEST_CASE("e2e: a same-size edit of a pending file stops run before anything is applied", "[e2e]") {
  Project p;
  p.AddTables({"1_a", "2_b", "3_c", "4_d"});
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "1"}).exit_code == 0);
  std::string original = ReadFile(p / "dist/migrations/4_d.up.sql");
  std::string edited = original;
  edited[edited.find("d (")] = 'e';  // CREATE TABLE e (...: same size, new meaning
  WriteFile(p / "dist/migrations/4_d.up.sql", edited);
  CHECK(p.Run({"status"}).exit_code == 0);  // status reads the manifest, not every file
  ProcessResult r = p.Run({"run"});
  CHECK(r.exit_code == 7);
  CHECK_THAT(r.err, Catch::Contains("4_d.up.sql changed during the run"));
  CHECK(p.History() == std::vector<std::string>{"1"});  // 2 and 3 did not run either
  CHECK(p.Query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"0"});
}

TEST_CASE("e2e: SIGINT cancels the long statement in progress, rolls back and frees the lock",
          "[e2e]") {
  Project p;
  p.AddTables({"1_a", "2_b", "3_c", "4_d"});
  p.Add("1_a.up.sql",
        "CREATE TABLE a (x INTEGER);\nINSERT INTO a WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
        "SELECT i + 1 FROM n WHERE i < 4000000) SELECT i FROM n;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ChildProcess child = StartMigrate({"run"}, p.dir().path());
  bool locked = false;
  for (int i = 0; i < 400 && !locked; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    try {
      locked = fs::exists(p / "test.db") &&
               p.Query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"1"};
    } catch (const std::exception&) {
      // not created yet, or busy
    }
  }
  REQUIRE(locked);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto t0 = std::chrono::steady_clock::now();
  ::kill(child.pid, SIGINT);
  ProcessResult r = Wait(child);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
  CHECK(r.exit_code == 130);
  CHECK_THAT(r.err, Catch::Contains("cancelling the statement in progress") &&
                        Catch::Contains("1_a.up.sql was cancelled and the migration rolled back"));
  CHECK(p.History().empty());  // the one in progress rolled back whole
  CHECK(p.Tables().empty());
  CHECK(p.Query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"0"});
  CHECK(p.Run({"run"}).exit_code == 0);
  CHECK(p.History() == std::vector<std::string>{"1", "2", "3", "4"});
}
