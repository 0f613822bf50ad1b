// What a no-op `run` and `status` verify, and what the runs that do something still verify
// (docs/design.md §3, §7): the manifest's digest and the folder's names before anything is
// read from the database; the bytes of each file that runs, before the first one runs.
#include <catch2/catch.hpp>

#include "e2e/project.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

TEST_CASE("e2e: a resized pending file stops run before anything is applied", "[e2e]") {
  Project p;
  p.AddTables({"1_a", "2_b", "3_c"});
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "1"}).exit_code == 0);
  WriteFile(p / "dist/migrations/3_c.up.sql", "CREATE TABLE c (id INTEGER PRIMARY KEY, x);\n");
  ProcessResult r = p.Run({"run"});
  CHECK(r.exit_code == 7);
  CHECK_THAT(r.err, Catch::Contains("3_c.up.sql changed during the run or after the build"));
  CHECK(p.History() == std::vector<std::string>{"1"});  // 2 did not run either
  CHECK(p.Tables() == std::vector<std::string>{"a"});
  CHECK(p.Query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"0"});
}

TEST_CASE("e2e: a resized applied file: no-op run and status go on, down refuses it", "[e2e]") {
  Project p;
  p.AddTables({"1_a", "2_b", "3_c"});
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run"}).exit_code == 0);
  WriteFile(p / "dist/migrations/3_c.down.sql", "DROP TABLE c; DROP TABLE b;\n");
  WriteFile(p / "dist/migrations/2_b.up.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY, x);\n");
  // Nothing of the bundle runs: the names and the manifest are what a no-op needs.
  ProcessResult noop = p.Run({"run"});
  CHECK(noop.exit_code == 0);
  CHECK_THAT(noop.out, Catch::Contains("Nothing to do"));
  ProcessResult status = p.Run({"status"});
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("3 applied, 0 pending"));
  // down runs 3_c.down.sql: its bytes are checked first.
  ProcessResult down = p.Run({"down"});
  CHECK(down.exit_code == 7);
  CHECK_THAT(down.err, Catch::Contains("3_c.down.sql changed during the run or after the build"));
  CHECK(p.Tables() == std::vector<std::string>{"a", "b", "c"});
  CHECK(p.History() == std::vector<std::string>{"1", "2", "3"});
}

TEST_CASE("e2e: a file missing from or added to dist stops run and status on any database",
          "[e2e]") {
  Project p;
  p.AddTables({"1_a", "2_b", "3_c"});
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "2"}).exit_code == 0);
  std::string before = ReadFile(p / "test.db");
  fs::path dist = p / "dist/migrations";
  fs::rename(dist / "1_a.down.sql", p / "1_a.down.sql");
  for (const std::vector<std::string>& command :
       std::vector<std::vector<std::string>>{{"run"}, {"status"}, {"down"}}) {
    ProcessResult r = p.Run(command);
    INFO("migrate " << command[0] << "\n" << r.err);
    CHECK(r.exit_code == 7);
    CHECK_THAT(r.err, Catch::Contains("1_a.down.sql is missing"));
  }
  fs::rename(p / "1_a.down.sql", dist / "1_a.down.sql");
  WriteFile(dist / "4_d.up.sql", "CREATE TABLE d (id INTEGER PRIMARY KEY);\n");
  for (const std::vector<std::string>& command :
       std::vector<std::vector<std::string>>{{"run"}, {"status"}, {"down"}}) {
    ProcessResult r = p.Run(command);
    INFO("migrate " << command[0] << "\n" << r.err);
    CHECK(r.exit_code == 7);
    CHECK_THAT(r.err, Catch::Contains("4_d.up.sql is not in the manifest"));
  }
  CHECK(ReadFile(p / "test.db") == before);
  fs::remove(dist / "4_d.up.sql");
  fs::create_directory(dist / "4_d.up.sql");
  ProcessResult dir = p.Run({"status"});
  CHECK(dir.exit_code == 7);
  CHECK_THAT(dir.err, Catch::Contains("4_d.up.sql is not a regular file"));
}

TEST_CASE("e2e: a bundle error outranks the database's: exit 7, not 8", "[e2e]") {
  Project p;
  p.AddTables({"1_a", "2_b", "3_c"});
  REQUIRE(p.Run({"build"}).exit_code == 0);
  fs::remove(p / "dist/migrations/2_b.up.sql");
  // status of a SQLite file that does not exist: the bundle is read beside the open that
  // fails, and its error is the one reported.
  ProcessResult status = p.Run({"status"});
  CHECK(status.exit_code == 7);
  CHECK_THAT(status.err, Catch::Contains("2_b.up.sql is missing"));
  ProcessResult run = p.Run({"--database", "postgres://app:Canary-9d2@127.0.0.1:1/x", "run"});
  CHECK(run.exit_code == 7);
  CHECK_THAT(run.err, Catch::Contains("2_b.up.sql is missing") && !Catch::Contains("Canary-9d2"));
  fs::remove_all(p / "dist");
  CHECK(p.Run({"status"}).exit_code == 7);
}

TEST_CASE("e2e: a connection failing while the bundle is read is exit 8, password redacted",
          "[e2e]") {
  Project p;
  p.AddTables({"1_a", "2_b", "3_c"});
  REQUIRE(p.Run({"build"}).exit_code == 0);
  const std::string canary = "Canary-4be1";
  for (std::string command : {"run", "status", "down"}) {
    ProcessResult r = p.Run({"--database", "postgres://app:" + canary + "@127.0.0.1:1/x", command});
    INFO("migrate " << command << "\n" << r.err);
    CHECK(r.exit_code == 8);
    CHECK_THAT(r.out + r.err, !Catch::Contains(canary) && Catch::Contains("***"));
  }
  ProcessResult none = p.Run({"--database", "sqlite:nowhere.db", "status"});
  CHECK(none.exit_code == 8);
  CHECK_THAT(none.err, Catch::Contains("no SQLite database at nowhere.db"));
}
