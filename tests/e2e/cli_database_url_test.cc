// End to end: which database a command runs against when the URL is missing or empty. The
// default, sqlite:migrate.db, is for a project that configures no URL at all; an unpopulated
// secret in a deploy (DATABASE_URL set but empty) or a config that names databases without
// choosing one is exit 2, and no file is created.
#include <catch2/catch.hpp>

#include "e2e/project.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

void AddOne(const Project& p) {
  p.Add("1_a.up.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
  p.Add("1_a.down.sql", "DROP TABLE a;\n");
}

// Writes `config` as the project's config.toml and builds one migration.
void Build(const Project& p, const std::string& config) {
  AddOne(p);
  WriteFile(p / "config.toml", config);
  REQUIRE(p.Run({"build"}).exit_code == 0);
}

}  // namespace

TEST_CASE("e2e: url = ${DATABASE_URL} with DATABASE_URL set but empty is exit 2, no database",
          "[e2e]") {
  Project p;
  Build(p, "[environments.production]\nurl = \"${DATABASE_URL}\"\n");
  for (const char* command : {"run", "status", "down"}) {
    ProcessResult r = p.Run({command}, {{"DATABASE_URL", ""}});
    INFO(command << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("DATABASE_URL is set but empty"));
  }
  CHECK(!fs::exists(p / "migrate.db"));
}

TEST_CASE("e2e: a configured url that expands to nothing is exit 2, no database", "[e2e]") {
  Project p;
  Build(p, "[environments.production]\nurl = \"${SECRET_URL}\"\n");
  ProcessResult r = p.Run({"run"}, {{"SECRET_URL", ""}});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("config.toml:2:") && Catch::Contains("'production' is empty"));
  CHECK(!fs::exists(p / "migrate.db"));
}

TEST_CASE("e2e: DATABASE_URL set but empty with no url configured is exit 2, no database",
          "[e2e]") {
  Project p;
  Build(p, "[project]\ndialects = [\"sqlite\"]\n");
  ProcessResult r = p.Run({"run"}, {{"DATABASE_URL", ""}});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("DATABASE_URL is set but empty"));
  CHECK(!fs::exists(p / "migrate.db"));
}

TEST_CASE("e2e: environments with urls but none selected is exit 2, not migrate.db", "[e2e]") {
  Project p;
  Build(p,
        "[environments.staging]\nurl = \"sqlite:staging.db\"\n"
        "[environments.production]\nurl = \"sqlite:production.db\"\n");
  ProcessResult r = p.Run({"run"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("no environment is selected") &&
                        Catch::Contains("production, staging"));
  CHECK(!fs::exists(p / "migrate.db"));
  CHECK(p.Run({"run", "--env", "staging"}).exit_code == 0);
  CHECK(fs::exists(p / "staging.db"));
}

TEST_CASE("e2e: with no url configured anywhere, the documented default is ./migrate.db", "[e2e]") {
  Project p;
  Build(p, "[project]\ndialects = [\"sqlite\"]\n");
  ProcessResult r = p.Run({"run"});
  CHECK(r.exit_code == 0);
  CHECK(fs::exists(p / "migrate.db"));
}
