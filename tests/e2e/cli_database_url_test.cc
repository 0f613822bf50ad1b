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

TEST_CASE("e2e: a literal password in a config.toml others can read is exit 2, saying how to fix",
          "[e2e]") {
  Project p;
  // The server is never reached: the check comes before any connection.
  Build(p,
        "[project]\ndialects = [\"postgres\"]\n[environments.prod]\n"
        "url = \"postgres://app:Hunter2-secret@127.0.0.1:1/shop\"\n"
        "dev_url = \"postgres://app@127.0.0.1:1/scratch?password=Dev-secret\"\n"
        "[environments.ci]\nurl = \"postgres://app:${APP_PASSWORD}@127.0.0.1:1/shop\"\n");
  fs::permissions(p / "config.toml", fs::perms(0644));
  ProcessResult r = p.Run({"--env", "prod", "status"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("config.toml:4:7: the url of environment 'prod' holds a "
                                    "password, and config.toml can be read by its group or "
                                    "others (mode 0644): run 'chmod 600 config.toml'"));
  CHECK_THAT(r.out + r.err, !Catch::Contains("Hunter2"));
  ProcessResult dev = p.Run({"--env", "prod", "verify", "--dev-url", ""});
  CHECK(dev.exit_code == 2);
  CHECK_THAT(dev.err, Catch::Contains("the dev_url of environment 'prod' holds a password"));
  CHECK_THAT(dev.out + dev.err, !Catch::Contains("Dev-secret"));
  // A password from a variable is the recommended way, whatever the mode.
  ProcessResult ci = p.Run({"--env", "ci", "status"}, {{"APP_PASSWORD", "x"}});
  CHECK(ci.exit_code == 8);  // refused by nobody but the absent server
  fs::permissions(p / "config.toml", fs::perms(0600));
  ProcessResult owner_only = p.Run({"--env", "prod", "status"});
  CHECK(owner_only.exit_code == 8);
  CHECK_THAT(owner_only.err, Catch::Contains("cannot reach PostgreSQL"));
}
