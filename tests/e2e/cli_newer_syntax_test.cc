// End to end: `migrate build` of tests/fixtures/postgres_newer_syntax (PostgreSQL 16–18
// syntax) for a project that targets PostgreSQL 17, and for one that targets 15.
#include <catch2/catch.hpp>
#include <regex>

#include "e2e/project.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

// Copies the fixture's migrations into `p`.
void AddNewerSyntax(const Project& p) {
  fs::copy(SourceDir() / "tests/fixtures/postgres_newer_syntax/migrations", p / "migrations",
           fs::copy_options::recursive);
}

// The `statements = N` the manifest records for each file, by name.
std::map<std::string, int> StatementCounts(const std::string& manifest) {
  std::map<std::string, int> out;
  std::regex file(R"(name = '([^']+)'\n(?:\s*\w+ = [^\n]*\n)*?\s*statements = (\d+))");
  for (std::sregex_iterator it(manifest.begin(), manifest.end(), file), end; it != end; ++it) {
    out[(*it)[1]] = std::stoi((*it)[2]);
  }
  return out;
}

}  // namespace

TEST_CASE("e2e: PostgreSQL 16-18 syntax builds with warnings when postgres_version is 17",
          "[e2e]") {
  Project p("dialects = [\"postgres\"]\npostgres_version = 17\n");
  AddNewerSyntax(p);
  ProcessResult r = p.Run({"build"});
  REQUIRE(r.exit_code == 0);
  const char* kNotChecked =
      ": warning[unchecked-syntax]: not checked: newer than the PostgreSQL 15 grammar; the "
      "server will check it";
  CHECK_THAT(
      r.err,
      Catch::Contains("migrations/2_email_not_null.up.sql:4:1" + std::string(kNotChecked)) &&
          Catch::Contains("migrations/3_subquery_alias.up.sql:2:1" + std::string(kNotChecked)) &&
          Catch::Contains("migrations/4_merge_returning.up.sql:2:1" + std::string(kNotChecked)) &&
          Catch::Contains("migrations/5_json_table.up.sql:4:1" + std::string(kNotChecked)) &&
          !Catch::Contains("error["));
  CHECK_THAT(r.out, Catch::Contains("Built 5 migrations (10 files)"));
  std::map<std::string, int> want = {{"1_base.up.sql", 3},
                                     {"1_base.down.sql", 3},
                                     {"2_email_not_null.up.sql", 3},
                                     {"2_email_not_null.down.sql", 3},
                                     {"3_subquery_alias.up.sql", 3},
                                     {"3_subquery_alias.down.sql", 3},
                                     {"4_merge_returning.up.sql", 2},
                                     {"4_merge_returning.down.sql", 1},
                                     {"5_json_table.up.sql", 3},
                                     {"5_json_table.down.sql", 3}};
  CHECK(StatementCounts(ReadFile(p / "dist/migrations/manifest.toml")) == want);

  // --strict fails on lint warnings, not on what postgres_version asked for (--lint-all: of
  // every migration, not only those the bundle just written does not hold).
  ProcessResult strict = p.Run({"build", "--strict", "--lint-all"});
  CHECK(strict.exit_code == 3);
  CHECK_THAT(strict.err,
             Catch::Contains("5_json_table.up.sql:8:1: error[dropping-column]") &&
                 Catch::Contains("5_json_table.up.sql:4:1: warning[unchecked-syntax]") &&
                 Catch::Contains("build failed with 1 error(s)"));
}

TEST_CASE("e2e: the same files fail as syntax errors when the project targets PostgreSQL 15",
          "[e2e]") {
  for (const std::string& keys : {std::string(), std::string("postgres_version = 15\n")}) {
    Project p("dialects = [\"postgres\"]\n" + keys);
    AddNewerSyntax(p);
    ProcessResult r = p.Run({"build"});
    INFO(keys);
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err,
               Catch::Contains("migrations/2_email_not_null.up.sql:4:61: error[syntax]") &&
                   Catch::Contains("migrations/3_subquery_alias.up.sql:3:18: error[syntax]: "
                                   "subquery in FROM must have an alias") &&
                   Catch::Contains("migrations/4_merge_returning.up.sql:6:1: error[syntax]") &&
                   Catch::Contains("migrations/5_json_table.up.sql:7:43: error[syntax]") &&
                   Catch::Contains("build failed with 4 error(s)") &&
                   !Catch::Contains("unchecked-syntax"));
    CHECK_FALSE(fs::exists(p / "dist"));
  }
}
