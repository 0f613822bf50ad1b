// `migrate build` reviews what is new: findings of migrations the previous bundle held
// unchanged are summed up one line per rule (`--lint-all` lists them), the new ones listed in
// full, and `--strict` fails on the new ones only. An edited file is new again.
#include <catch2/catch.hpp>

#include "e2e/project.h"

using namespace migrate::testing;

namespace {

const std::string kIndexFix = "warning[require-concurrent-index]";

// Two findings: indexes built without CONCURRENTLY on a table of an earlier migration.
void AddIndexed(const Project& p, const std::string& version, const std::string& table) {
  p.Add(version + "_" + table + ".up.sql", "-- migrate:lock-timeout 5s\nCREATE INDEX " + table +
                                               "_id ON " + table + " (id);\nCREATE INDEX " + table +
                                               "_id2 ON " + table + " (id);\n");
  p.Add(version + "_" + table + ".down.sql",
        "DROP INDEX " + table + "_id;\nDROP INDEX " + table + "_id2;\n");
}

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("e2e: a rebuild lists the new migration's findings and sums up the others by rule",
          "[e2e]") {
  Project p("dialects = [\"postgres\"]\n");
  p.Add("0_tables.up.sql",
        "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n"
        "CREATE TABLE c (id int);\n");
  p.Add("0_tables.down.sql", "DROP TABLE a, b, c;\n");
  AddIndexed(p, "1", "a");
  AddIndexed(p, "2", "b");
  ProcessResult first = p.Run({"build"});
  REQUIRE(first.exit_code == 0);
  CHECK(Count(first.err, kIndexFix) == 4);  // no previous bundle: everything is new
  CHECK_THAT(first.err, !Catch::Contains("previous bundle"));

  AddIndexed(p, "3", "c");
  ProcessResult strict = p.Run({"build", "--strict"});
  CHECK(strict.exit_code == 3);  // the new file's findings are errors
  CHECK(Count(strict.err, "3_c.up.sql:") == 2);
  CHECK(Count(strict.err, "error[require-concurrent-index]") == 2);
  CHECK_THAT(strict.err, Catch::Contains("4 warning(s) in migrations the previous bundle already "
                                         "held, unchanged ('--lint-all' lists them):\n"
                                         "  require-concurrent-index: 4 in 2 file(s)\n"));

  ProcessResult second = p.Run({"build"});
  CHECK(second.exit_code == 0);
  CHECK(Count(second.err, kIndexFix) == 2);
  CHECK(Count(second.err, "3_c.up.sql:") == 2);
  CHECK_THAT(second.err, !Catch::Contains("1_a.up.sql:") && !Catch::Contains("2_b.up.sql:"));

  ProcessResult all = p.Run({"build", "--check", "--lint-all"});
  CHECK(all.exit_code == 0);
  CHECK(Count(all.err, kIndexFix) == 6);
  CHECK(p.Run({"build", "--strict"}).exit_code == 0);                // all of it reviewed before
  CHECK(p.Run({"build", "--strict", "--lint-all"}).exit_code == 3);  // everything as new

  // An edited file is new again.
  p.Add("1_a.up.sql", "-- migrate:lock-timeout 5s\nSELECT 1;\nCREATE INDEX a_id ON a (id);\n");
  ProcessResult edited = p.Run({"build"});
  CHECK(edited.exit_code == 0);
  CHECK(Count(edited.err, "1_a.up.sql:3:1: " + kIndexFix) == 1);
  CHECK_THAT(edited.err, Catch::Contains("  require-concurrent-index: 4 in 2 file(s)"));

  // A previous bundle this tool cannot read (tampered with) vouches for nothing.
  WriteFile(p / "dist/migrations/manifest.toml", "not a manifest\n");
  ProcessResult tampered = p.Run({"build"});
  CHECK(tampered.exit_code == 0);
  CHECK(Count(tampered.err, kIndexFix) == 5);
  CHECK_THAT(tampered.err, !Catch::Contains("previous bundle"));
}
