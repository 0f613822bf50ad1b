// `migrate verify` on the PostgreSQL test server: on a temporary database (--dev-url) that is
// dropped whatever happens, on a named one, and with a bad server URL.
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#include "e2e/project.h"
#include "support/pg.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

// A project on the fixture whose down of 3_index_items_by_name forgets its index, built for
// PostgreSQL.
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

TEST_CASE(
    "verify (postgres): openmeter's leftovers (its SOURCE.md) are named under the "
    "migrations whose downs leave them",
    "[postgres][corpus]") {
  fs::path corpus = SharedDir() / "corpus/openmeter-postgres";
  if (!fs::exists(corpus)) {
    WARN("skipped: " << corpus << " is not present on this machine");
    return;
  }
  Project p("migrations = \"" + corpus.string() + "\"\ndialects = [\"postgres\"]\n");
  REQUIRE(p.Run({"--quiet", "build"}).exit_code == 0);
  auto t0 = std::chrono::steady_clock::now();
  ProcessResult r =
      RunMigrate({"--json", "verify", "--dev-url", PgAdminUrl()}, p.dir().path(), {}, 600);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(r.err);
  CHECK(r.exit_code == 3);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["checked"] == 269);
  CHECK(j["not_checked"] == 0);
  // What each migration's down leaves behind: "version kind name", names without arguments.
  std::set<std::string> left;
  for (const auto& m : j["migrations"]) {
    for (const auto& c : m["left"]) {
      if (c["change"] != "added") continue;
      std::string name = c["name"];
      left.insert(m["version"].get<std::string>() + " " + c["kind"].get<std::string>() + " " +
                  name.substr(0, name.find('(')));
    }
  }
  for (const char* want : {
           "20250605131637 extension pgcrypto",
           "20250807075408 function public.om_func_generate_ulid",
           "20250807075408 function public.om_func_calc_usage_period_durations_batch",
           "20250807075408 function public.om_func_update_usage_period_durations_batch",
           "20250807075408 function "
           "public.om_func_get_go_normalized_last_iteration_not_after_cutoff",
           "20250807075408 function public.om_func_go_add_date_normalized",
           "20250807075408 function public.om_func_go_normalize_interval_to_str",
           "20250605102416 function public.delete_entitlement_on_subscription_item_delete",
           "20260716150455 table public.om_migration_backup_20260716150455_gathering_details",
       }) {
    CHECK(left.count(want) == 1);
  }
  WARN("openmeter-postgres: verify of 269 migrations in " << seconds << " s");
}
