// End to end: a large migration file (issue 12, defect 5) costs memory in proportion to its
// size, on SQLite and PostgreSQL; a statement larger than SQLite can compile at a sane cost
// is refused at build. Peak memory is the largest child's (getrusage RUSAGE_CHILDREN): every
// command of a test must stay under the same bound, so the largest one is what counts.
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <string>

#include "e2e/project.h"
#include "support/pg.h"

using namespace migrate::testing;

namespace {

constexpr long kMiB = 1 << 20;
// What any migrate command takes before it reads a migration (the binary, its libraries).
constexpr long kBaseBytes = 64 * kMiB;

// One INSERT of about `bytes` bytes into big (id, amount): tuples of ~12 bytes, a newline
// every 50 (what bench/bigfile writes).
std::string Insert(long bytes, long& next_id) {
  std::string sql = "INSERT INTO big (id, amount) VALUES\n";
  for (bool first = true; static_cast<long>(sql.size()) < bytes; first = false, ++next_id) {
    if (!first) sql += next_id % 50 == 0 ? ",\n" : ",";
    sql += "(" + std::to_string(next_id) + "," + std::to_string(next_id % 10) + ")";
  }
  return sql + ";\n";
}

// Writes migration 1 (the table) and 2 (`statements` INSERTs of `bytes` each); returns the
// rows migration 2 inserts.
long AddBigSet(const Project& p, int statements, long bytes) {
  p.Add("1_big.up.sql", "CREATE TABLE big (id INTEGER, amount INTEGER);\n");
  p.Add("1_big.down.sql", "DROP TABLE big;\n");
  p.Add("2_fill.down.sql", "DELETE FROM big;\n");
  long id = 1;
  std::string sql = "-- generated: " + std::to_string(statements) + " large INSERTs\n";
  for (int i = 0; i < statements; ++i) sql += Insert(bytes, id);
  p.Add("2_fill.up.sql", sql);
  return id - 1;
}

// The peak resident memory of the largest child process waited for so far, in bytes.
long ChildrenPeakBytes() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  return usage.ru_maxrss * 1024;
}

}  // namespace

TEST_CASE("e2e: a 6 MB migration builds, plans and runs on SQLite in memory proportional to it",
          "[e2e]") {
  Project p("dialects = [\"postgres\", \"sqlite\"]\n");
  long rows = AddBigSet(p, 6, kMiB);
  ProcessResult build = p.Run({"build", "--no-rehearse"});
  REQUIRE(build.exit_code == 0);
  std::ofstream(p / "test.db").flush();  // plan reads an existing database: an empty one
  ProcessResult plan = p.Run({"plan"});
  CHECK(plan.exit_code == 0);
  CHECK_THAT(plan.out, Catch::Contains("database write lock"));
  ProcessResult run = p.Run({"run"});
  REQUIRE(run.exit_code == 0);
  CHECK(p.Query("SELECT count(*) FROM big") == std::vector<std::string>{std::to_string(rows)});
  CHECK(ChildrenPeakBytes() < 20 * 6 * kMiB + kBaseBytes);
}

TEST_CASE("e2e: a SQLite statement over 16 MiB is refused at build, naming the file and the fix",
          "[e2e]") {
  Project p;
  AddBigSet(p, 1, 17 * kMiB);
  ProcessResult build = p.Run({"build"});
  CHECK(build.exit_code == 3);
  CHECK_THAT(build.err, Catch::Contains("2_fill.up.sql:2:1") &&
                            Catch::Contains("statement-too-large") &&
                            Catch::Contains("at most 16 MiB on SQLite") &&
                            Catch::Contains("Split it into several statements"));
  CHECK(ChildrenPeakBytes() < 20 * 17 * kMiB + kBaseBytes);
}

TEST_CASE("postgres: a 6 MB INSERT builds, plans and runs in memory proportional to it",
          "[postgres][e2e]") {
  PgDatabase db;
  Project p("dialects = [\"postgres\"]\n");
  long rows = AddBigSet(p, 1, 6 * kMiB);
  std::map<std::string, std::string> env{{"DATABASE_URL", db.url()}};
  REQUIRE(p.Run({"build", "--no-rehearse"}).exit_code == 0);
  ProcessResult plan = p.Run({"plan"}, env);
  CHECK(plan.exit_code == 0);
  CHECK_THAT(plan.out, Catch::Contains("ROW EXCLUSIVE"));
  REQUIRE(p.Run({"run"}, env).exit_code == 0);
  CHECK(db.Query("SELECT count(*) FROM big") == std::vector<std::string>{std::to_string(rows)});
  CHECK(ChildrenPeakBytes() < 20 * 6 * kMiB + kBaseBytes);
}

// The file of the issue: 50 MB, 4.2 million tuples, about 75 s. Only with MIGRATE_TEST_SLOW=1
// (scripts/test --slow); docs/benchmarks.md has its figures.
TEST_CASE("postgres: a 50 MB INSERT builds, plans and runs, SQLite refuses it", "[slow][e2e]") {
  const char* slow = std::getenv("MIGRATE_TEST_SLOW");
  if (!slow || std::string(slow) != "1") {
    SUCCEED("the 50 MB file runs with MIGRATE_TEST_SLOW=1 (scripts/test --slow)");
    return;
  }
  PgDatabase db;
  Project p("dialects = [\"postgres\"]\n");
  long rows = AddBigSet(p, 1, 50 * 1000 * 1000);
  std::map<std::string, std::string> env{{"DATABASE_URL", db.url()}};
  REQUIRE(RunMigrate({"build", "--no-rehearse"}, p.dir().path(), {}, 900).exit_code == 0);
  CHECK(RunMigrate({"plan"}, p.dir().path(), env, 900).exit_code == 0);
  REQUIRE(RunMigrate({"run"}, p.dir().path(), env, 900).exit_code == 0);
  CHECK(db.Query("SELECT count(*) FROM big") == std::vector<std::string>{std::to_string(rows)});
  CHECK(ChildrenPeakBytes() < 20 * 50 * kMiB + kBaseBytes);
  Project lite;
  AddBigSet(lite, 1, 50 * 1000 * 1000);
  CHECK(RunMigrate({"build"}, lite.dir().path(), {}, 900).exit_code == 3);
}
