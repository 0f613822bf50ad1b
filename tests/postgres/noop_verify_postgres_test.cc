// On the real PostgreSQL server: the connection is opened beside the bundle's verification
// (cli/open_beside.h); whichever fails, the right error and exit code come out, and a bundle
// that fails leaves the database untouched.
#include <catch2/catch.hpp>

#include "e2e/project.h"
#include "support/pg.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

struct PgProject {
  PgDatabase db;
  Project project{"dialects = [\"postgres\"]\n"};

  PgProject() {
    for (const char* t : {"1_a", "2_b", "3_c"}) {
      std::string table = std::string(t).substr(2);
      project.Add(std::string(t) + ".up.sql", "CREATE TABLE " + table + " (id int);\n");
      project.Add(std::string(t) + ".down.sql", "DROP TABLE " + table + ";\n");
    }
  }
  ProcessResult Run(std::vector<std::string> args, const std::string& url = "") const {
    return project.Run(args, {{"DATABASE_URL", url.empty() ? db.url() : url}});
  }
  std::vector<std::string> History() const {
    return db.Query("SELECT version FROM migrate_history ORDER BY version::numeric");
  }
};

}  // namespace

TEST_CASE(
    "postgres: no-op run and status, and a tampered pending file stops run with nothing applied",
    "[postgres][e2e]") {
  PgProject p;
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "1"}).exit_code == 0);
  fs::path dist = p.project / "dist/migrations";
  std::string original = ReadFile(dist / "3_c.up.sql");
  WriteFile(dist / "3_c.up.sql", "CREATE TABLE c (id int, x int);\n");
  ProcessResult r = p.Run({"run"});
  CHECK(r.exit_code == 7);
  CHECK_THAT(r.err, Catch::Contains("3_c.up.sql changed during the run or after the build"));
  CHECK(p.History() == std::vector<std::string>{"1"});
  CHECK(p.db.Query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"0"});
  WriteFile(dist / "3_c.up.sql", original);
  REQUIRE(p.Run({"run"}).exit_code == 0);
  ProcessResult noop = p.Run({"run"});
  CHECK(noop.exit_code == 0);
  CHECK_THAT(noop.out, Catch::Contains("Nothing to do"));
  ProcessResult status = p.Run({"status"});
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("3 applied, 0 pending"));
}

TEST_CASE("postgres: a bundle refused while connecting leaves a new database untouched",
          "[postgres][e2e]") {
  PgProject p;
  REQUIRE(p.Run({"build"}).exit_code == 0);
  WriteFile(p.project / "dist/migrations/9_extra.up.sql", "CREATE TABLE extra (id int);\n");
  for (std::string command : {"run", "status", "down"}) {
    ProcessResult r = p.Run({command});
    INFO("migrate " << command << "\n" << r.err);
    CHECK(r.exit_code == 7);
    CHECK_THAT(r.err, Catch::Contains("9_extra.up.sql is not in the manifest"));
  }
  CHECK(p.db.Query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") ==
        std::vector<std::string>{"0"});
}

TEST_CASE("postgres: a refused password while the bundle is read is exit 8, redacted",
          "[postgres][e2e]") {
  PgProject p;
  REQUIRE(p.Run({"build"}).exit_code == 0);
  const std::string canary = "Wrong-pw-5c0d";
  std::string url = p.db.url();
  std::size_t colon = url.find(':', url.find("://") + 3), at = url.find('@');
  REQUIRE(colon < at);
  url.replace(colon + 1, at - colon - 1, canary);
  for (std::string command : {"run", "status"}) {
    ProcessResult r = p.Run({command}, url);
    INFO("migrate " << command << "\n" << r.err);
    CHECK(r.exit_code == 8);
    CHECK_THAT(r.out + r.err, !Catch::Contains(canary) && Catch::Contains("***"));
  }
  CHECK(p.db.Query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") ==
        std::vector<std::string>{"0"});
}
