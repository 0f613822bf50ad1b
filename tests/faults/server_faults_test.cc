// Faults of the database under a run (docs/reliability.md): a PostgreSQL server restarted in
// the middle of a migration (`pg_ctl restart -m immediate`, on a cluster of the test's own so
// no other test sees it), and a SQLite database that runs out of room. Each must end in a
// clear error, never a false success, with nothing half-applied, and the rerun completes.
#include <signal.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <thread>

#include "e2e/project.h"
#include "support/pg.h"

using namespace migrate::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// A throwaway cluster of scripts/pg, stopped at the end.
class OwnCluster {
 public:
  OwnCluster() : state_((dir_ / "pg-state").string()) {
    int started = Pg("start");
    INFO(ReadFile(dir_ / "out"));  // scripts/pg's own words, the server log when it failed
    REQUIRE(started == 0);
  }
  ~OwnCluster() { Pg("stop"); }
  OwnCluster(const OwnCluster&) = delete;
  OwnCluster& operator=(const OwnCluster&) = delete;

  int Pg(const std::string& command) const {
    std::string line = "MIGRATE_PG_STATE='" + state_ + "' '" +
                       (SourceDir() / "scripts/pg").string() + "' " + command + " > '" +
                       (dir_ / "out").string() + "' 2>&1";
    return std::system(line.c_str());
  }
  std::string Url() const {
    REQUIRE(Pg("url") == 0);
    std::string url = ReadFile(dir_ / "out");
    return url.substr(0, url.find('\n'));
  }

 private:
  TempDir dir_;
  std::string state_;
};

}  // namespace

TEST_CASE("faults: PostgreSQL restarted in the middle of a migration, then a rerun",
          "[faults][postgres]") {
  OwnCluster cluster;
  std::string url = cluster.Url();
  Project p("dialects = [\"postgres\"]\n");
  p.Add("1_a.up.sql", "CREATE TABLE a (id int);\n");
  p.Add("1_a.down.sql", "DROP TABLE a;\n");
  p.Add("2_slow.up.sql",
        "CREATE TABLE b (id int);\nSELECT pg_sleep(4);\nINSERT INTO b VALUES (1);\n");
  p.Add("2_slow.down.sql", "DROP TABLE b;\n");
  p.Add("3_c.up.sql", "CREATE TABLE c (id int);\n");
  p.Add("3_c.down.sql", "DROP TABLE c;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ChildProcess child = StartMigrate({"run"}, p.dir().path(), {{"DATABASE_URL", url}});
  std::this_thread::sleep_for(2s);  // 1 applied, 2 in its pg_sleep
  REQUIRE(cluster.Pg("restart") == 0);
  ProcessResult cut = Wait(child);
  INFO(cut.out << cut.err);
  CHECK((cut.exit_code == 8 || cut.exit_code == 1));  // never a false success
  CHECK_THAT(cut.err, Catch::Contains("2_slow"));
  CHECK_THAT(cut.err, !Catch::Contains("migrate-test-only"));  // the password
  ProcessResult again = p.Run({"--lock-wait", "30s", "run"}, {{"DATABASE_URL", url}});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("applied  2  slow") && Catch::Contains("applied  3  c"));
  ProcessResult status = p.Run({"status"}, {{"DATABASE_URL", url}});
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("3 applied, 0 pending"));
}

TEST_CASE("faults: a SQLite database that runs out of room fails the migration whole",
          "[faults][sqlite]") {
  Project p("default_env = \"local\"\n");
  p.Add("1_a.up.sql", "CREATE TABLE a (id integer);\n");
  p.Add("1_a.down.sql", "DROP TABLE a;\n");
  // max_page_count stands in for a full disk: the insert cannot get the pages it needs.
  p.Add("2_big.up.sql",
        "PRAGMA max_page_count = 16;\nCREATE TABLE big (x blob);\n"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)\n"
        "INSERT INTO big SELECT randomblob(200) FROM n;\n");
  p.Add("2_big.down.sql", "DROP TABLE big;\n");
  REQUIRE(p.Run({"build", "--no-rehearse"}).exit_code == 0);
  ProcessResult full = p.Run({"run"});
  INFO(full.out << full.err);
  CHECK(full.exit_code == 1);
  CHECK_THAT(full.err, Catch::Contains("2_big.up.sql:3:1") && Catch::Contains("full"));
  CHECK(p.Tables() == std::vector<std::string>{"a"});
  CHECK(p.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"1"});
  CHECK(p.Query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"0"});
  CHECK(p.Query("PRAGMA integrity_check") == std::vector<std::string>{"ok"});
  p.Add("2_big.up.sql", "CREATE TABLE big (x blob);\n");  // room again (a fixed file)
  REQUIRE(p.Run({"build", "--no-rehearse"}).exit_code == 0);
  CHECK(p.Run({"repair", "2", "--accept"}).exit_code != 0);  // nothing of 2 was recorded
  CHECK(p.Run({"run"}).exit_code == 0);
  CHECK(p.Tables() == std::vector<std::string>{"a", "big"});
}

TEST_CASE("faults: SIGTERM during pg_sleep(600) cancels it, rolls back, frees the lock",
          "[faults][postgres]") {
  PgDatabase db;
  Project p("dialects = [\"postgres\"]\n");
  p.Add("1_a.up.sql", "CREATE TABLE a (id int);\n");
  p.Add("1_a.down.sql", "DROP TABLE a;\n");
  p.Add("2_sleep.up.sql", "CREATE TABLE b (id int);\nSELECT pg_sleep(600);\n");
  p.Add("2_sleep.down.sql", "DROP TABLE b;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ChildProcess child = StartMigrate({"run"}, p.dir().path(), {{"DATABASE_URL", db.url()}});
  bool sleeping = false;
  for (int i = 0; i < 200 && !sleeping; ++i) {
    std::this_thread::sleep_for(50ms);
    sleeping = db.Query(
                   "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' "
                   "AND state = 'active'") == std::vector<std::string>{"1"};
  }
  REQUIRE(sleeping);
  auto t0 = std::chrono::steady_clock::now();
  ::kill(child.pid, SIGTERM);
  ProcessResult r = Wait(child, 30);
  CHECK(std::chrono::steady_clock::now() - t0 < 2s);
  CHECK(r.exit_code == 130);
  CHECK_THAT(r.err, Catch::Contains("2_sleep.up.sql was cancelled and the migration rolled back"));
  CHECK(db.Query("SELECT version FROM migrate_history") == std::vector<std::string>{"1"});
  CHECK(db.Query("SELECT to_regclass('b')::text") == std::vector<std::string>{""});
  CHECK(db.Query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"0"});
}
