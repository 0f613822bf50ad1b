// End to end on SQLite: a runner stopped past its lease, whose lock another runner took over
// and used, notices at the BEGIN of its next migration: it runs none of its statements and
// exits 5 (it used to run them, fail on "table already exists" and exit 1). Only in builds
// with the fault seam (MIGRATE_FAULTS, as scripts/build makes them).
#ifdef MIGRATE_FAULTS  // the runner stops itself through the fault seam
#include <SQLiteCpp/SQLiteCpp.h>
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <thread>

#include "e2e/project.h"

using namespace migrate::testing;
using namespace std::chrono_literals;

namespace {

std::string LockRows(const Project& p) {
  SQLite::Database db((p / "test.db").string(), SQLite::OPEN_READONLY);
  db.setBusyTimeout(5000);
  return db.execAndGet("SELECT count(*) FROM migrate_lock").getString();
}

}  // namespace

TEST_CASE("e2e: a runner whose lease was taken over while stopped exits 5 before its next step",
          "[e2e]") {
  Project p;
  WriteFile(p / "config.toml", "[environments.local]\nurl = \"sqlite:test.db\"\nlease = \"2s\"\n");
  p.Add("1_counter.up.sql", "CREATE TABLE counter (n INTEGER);\n");
  p.Add("1_counter.down.sql", "DROP TABLE counter;\n");
  REQUIRE(p.Run({"build", "--no-rehearse"}).exit_code == 0);
  REQUIRE(p.Run({"run"}).exit_code == 0);
  for (int i = 2; i <= 4; ++i) {
    std::string t = "t" + std::to_string(i);
    p.Add(std::to_string(i) + "_" + t + ".up.sql", "CREATE TABLE " + t +
                                                       " (id INTEGER);\nINSERT INTO counter "
                                                       "VALUES (" +
                                                       std::to_string(i) + ");\n");
    p.Add(std::to_string(i) + "_" + t + ".down.sql", "DROP TABLE " + t + ";\n");
  }
  REQUIRE(p.Run({"build", "--no-rehearse"}).exit_code == 0);

  // The runner takes the lock and stops itself just before migration 2 (the fault seam's
  // MIGRATE_STOP_AT: SIGSTOP, as a frozen VM would), holding no transaction.
  ChildProcess a = StartMigrate({"run"}, p.dir().path(), {{"MIGRATE_STOP_AT", "before-step"}});
  int status = 0;
  REQUIRE(::waitpid(a.pid, &status, WUNTRACED) == a.pid);
  REQUIRE(WIFSTOPPED(status));
  CHECK(LockRows(p) == "1");
  std::this_thread::sleep_for(2500ms);  // past the frozen runner's 2 s lease
  ProcessResult b = p.Run({"run"});
  INFO(b.err);
  CHECK(b.exit_code == 0);
  ::kill(a.pid, SIGCONT);
  ProcessResult ra = Wait(a);
  INFO(ra.err);
  CHECK(ra.exit_code == 5);
  CHECK_THAT(ra.err, Catch::Contains("no longer holds the migration lock"));
  CHECK_THAT(ra.err, !Catch::Contains("already exists"));
  CHECK(p.Query("SELECT n FROM counter ORDER BY n") == std::vector<std::string>{"2", "3", "4"});
  CHECK(p.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"4"});
  CHECK(LockRows(p) == "0");
}
#endif
