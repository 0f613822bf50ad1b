// End to end on SQLite: a runner stopped past its lease, whose lock another runner took over
// and used, notices at the BEGIN of its next migration: it runs none of its statements and
// exits 5 (it used to run them, fail on "table already exists" and exit 1).
#include <SQLiteCpp/SQLiteCpp.h>
#include <signal.h>

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
  // Migration 1 makes the schema wide, so that the drift check the runner does after taking
  // the lock (a catalog read, outside any write transaction) gives the test time to take the
  // file's write lock before the runner's next BEGIN.
  std::string wide = "CREATE TABLE counter (n INTEGER);\n";
  for (int i = 0; i < 3000; ++i) {
    wide += "CREATE TABLE w" + std::to_string(i) + " (id INTEGER PRIMARY KEY, a TEXT);\n";
  }
  p.Add("1_counter.up.sql", wide);
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

  ChildProcess a = StartMigrate({"run"}, p.dir().path());
  bool locked = false;
  for (int i = 0; i < 2000 && !locked; ++i) {
    std::this_thread::sleep_for(2ms);
    locked = LockRows(p) == "1";
  }
  REQUIRE(locked);
  {
    // Hold the write lock while the runner checks the schema: it then waits at the BEGIN of
    // migration 2, where it is frozen.
    SQLite::Database writer((p / "test.db").string(), SQLite::OPEN_READWRITE);
    writer.setBusyTimeout(20000);
    writer.exec("BEGIN IMMEDIATE");
    std::this_thread::sleep_for(1000ms);  // the schema check ends: the runner is at BEGIN
    ::kill(a.pid, SIGSTOP);
    writer.exec("ROLLBACK");
  }
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
