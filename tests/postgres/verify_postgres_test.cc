// `migrate verify` on the PostgreSQL test server: on a temporary database (--dev-url) that is
// dropped whatever happens, on a named one, and with a bad server URL.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "e2e/project.h"
#include "support/pg.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

// A project on the fixture whose down of 3_index_items_by_name forgets its index, built for
// PostgreSQL only (the build's rehearsal is SQLite's, and would refuse the set first).
struct ForgetfulProject {
  Project project{"dialects = [\"postgres\"]\n"};

  ForgetfulProject() {
    fs::copy(SourceDir() / "tests/fixtures/verify_down_forgets_index/migrations",
             project / "migrations",
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  }
};

// The temporary databases the migrate process `pid` made that still exist.
std::vector<std::string> ScratchDatabasesOf(pid_t pid) {
  PgDatabase any;
  return any.Query("SELECT datname FROM pg_database WHERE datname LIKE 'migrate\\_scratch\\_" +
                   std::to_string(pid) + "\\_%'");
}

}  // namespace

TEST_CASE(
    "verify (postgres): a down that forgets an index fails naming it, and --dev-url's "
    "temporary database is dropped",
    "[postgres][e2e]") {
  ForgetfulProject p;
  REQUIRE(p.project.Run({"--quiet", "build"}).exit_code == 0);
  ChildProcess child =
      StartMigrate({"--no-color", "verify", "--dev-url", PgAdminUrl()}, p.project.dir().path());
  ProcessResult r = Wait(child);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.out, Catch::Contains("on a temporary database on postgres://") &&
                        Catch::Contains("ok      2  create_tags") &&
                        Catch::Contains("FAILED  3  index_items_by_name") &&
                        Catch::Contains("+ index public.items.items_by_name") &&
                        Catch::Contains("3_index_items_by_name.up.sql:1:1") &&
                        Catch::Contains("SQLSTATE 42P07") &&
                        Catch::Contains("the check goes on on a new database") &&
                        Catch::Contains("ok      4  tag_colors") &&
                        Catch::Contains("4 checked, 3 passed, 1 failed, 0 not checked"));
  CHECK(ScratchDatabasesOf(child.pid).empty());
}

TEST_CASE("verify (postgres): the temporary database is dropped after a failing up too",
          "[postgres][e2e]") {
  Project p("dialects = [\"postgres\"]\n");
  p.Add("1_t.up.sql", "CREATE TABLE t (x int);\nINSERT INTO t (y) VALUES (1);\n");
  p.Add("1_t.down.sql", "DROP TABLE t;\n");
  REQUIRE(p.Run({"--quiet", "build"}).exit_code == 0);
  ChildProcess child =
      StartMigrate({"--no-color", "verify", "--dev-url", PgAdminUrl()}, p.dir().path());
  ProcessResult r = Wait(child);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.out, Catch::Contains("FAILED  1  t: the up fails:") &&
                        Catch::Contains("1_t.up.sql:2:16") && Catch::Contains("SQLSTATE 42703"));
  CHECK(ScratchDatabasesOf(child.pid).empty());
}

TEST_CASE("verify (postgres): a database with tables is refused without --allow-existing",
          "[postgres][e2e]") {
  PgDatabase db;
  db.Query("CREATE TABLE keep (x int)");
  ForgetfulProject p;
  REQUIRE(p.project.Run({"--quiet", "build"}).exit_code == 0);
  ProcessResult r = p.project.Run({"verify", "--database", db.url()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("not empty: it has 1 table(s) (public.keep)") &&
                        Catch::Contains("--allow-existing"));
  CHECK(db.Query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") ==
        std::vector<std::string>{"1"});
}

TEST_CASE("verify (postgres): a bad --dev-url is a clear error without the password",
          "[postgres][e2e]") {
  ForgetfulProject p;
  REQUIRE(p.project.Run({"--quiet", "build"}).exit_code == 0);
  ProcessResult r =
      p.project.Run({"verify", "--dev-url", "postgres://someone:s3cret-pw@127.0.0.1:1/postgres"});
  CHECK(r.exit_code == 8);
  CHECK_THAT(r.err, Catch::Contains("cannot create a temporary database on postgres://"));
  CHECK_THAT(r.err + r.out, !Catch::Contains("s3cret-pw"));

  ProcessResult mysql = p.project.Run({"verify", "--dev-url", "mysql://u:s3cret-pw@h/db"});
  CHECK(mysql.exit_code == 2);
  CHECK_THAT(mysql.err, Catch::Contains("is not a postgres:// URL"));
  CHECK_THAT(mysql.err + mysql.out, !Catch::Contains("s3cret-pw"));
}

TEST_CASE("build --verify-url (postgres): verify runs after the bundle is written",
          "[postgres][e2e]") {
  ForgetfulProject p;
  ProcessResult r = p.project.Run({"build", "--verify-url", PgAdminUrl()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.out, Catch::Contains("Built 4 migrations") &&
                        Catch::Contains("+ index public.items.items_by_name"));
  p.project.Add("3_index_items_by_name.down.sql", "DROP INDEX items_by_name;\n");
  ProcessResult fixed = p.project.Run({"build", "--verify-url", PgAdminUrl()});
  INFO(fixed.out << fixed.err);
  CHECK(fixed.exit_code == 0);
  CHECK_THAT(fixed.out, Catch::Contains("4 checked, 4 passed, 0 failed, 0 not checked"));
}
