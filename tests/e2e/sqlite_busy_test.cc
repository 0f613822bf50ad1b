// End to end on SQLite: another connection holding the database file's lock (sqlite3 in
// BEGIN EXCLUSIVE, a runner in a long migration). The runner waits for it as long as for the
// migration lock (--lock-wait), not the 5 s busy timeout, and then exits 5 saying what it
// waited for (it used to exit 8 with "cannot read the history table: database is locked").
#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>
#include <thread>

#include "e2e/project.h"

using namespace migrate::testing;
using namespace std::chrono_literals;

namespace {

// One migration applied, a second one built and pending.
void OneAppliedOnePending(const Project& p) {
  p.Add("1_a.up.sql", "CREATE TABLE a (id INTEGER);\n");
  p.Add("1_a.down.sql", "DROP TABLE a;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run"}).exit_code == 0);
  p.Add("2_b.up.sql", "CREATE TABLE b (id INTEGER);\n");
  p.Add("2_b.down.sql", "DROP TABLE b;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
}

}  // namespace

TEST_CASE("e2e: a database held in BEGIN EXCLUSIVE past the lock wait is exit 5, named", "[e2e]") {
  Project p;
  OneAppliedOnePending(p);
  SQLite::Database holder((p / "test.db").string(), SQLite::OPEN_READWRITE);
  holder.exec("BEGIN EXCLUSIVE");
  auto t0 = std::chrono::steady_clock::now();
  ProcessResult r = p.Run({"--lock-wait", "2s", "run"});
  auto took = std::chrono::steady_clock::now() - t0;
  holder.exec("ROLLBACK");
  INFO(r.err);
  CHECK(r.exit_code == 5);
  CHECK_THAT(r.err, Catch::Contains("another connection held the database file's lock") &&
                        Catch::Contains("BEGIN EXCLUSIVE") && Catch::Contains("--lock-wait"));
  CHECK(took >= 2s);
  CHECK(took < 4s);  // the lock wait, not the 5 s busy timeout
  CHECK(p.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"1"});
}

TEST_CASE("e2e: a database held longer than 5 s but less than the lock wait: the run waits",
          "[e2e]") {
  Project p;
  OneAppliedOnePending(p);
  SQLite::Database holder((p / "test.db").string(), SQLite::OPEN_READWRITE);
  holder.exec("BEGIN EXCLUSIVE");
  ChildProcess child = StartMigrate({"--lock-wait", "60s", "run"}, p.dir().path());
  std::this_thread::sleep_for(6500ms);
  holder.exec("ROLLBACK");
  ProcessResult r = Wait(child);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(p.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"2"});
  CHECK(p.Query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"0"});
}
