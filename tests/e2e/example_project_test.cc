// The example project in the repository (config.toml + migrations/) runs on SQLite and on
// PostgreSQL, forwards and back. It is copied to a temporary folder so runs never touch the
// checkout.
#include <catch2/catch.hpp>

#include "e2e/project.h"
#include "support/pg.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

void CopyExample(const Project& p) {
  fs::copy_file(SourceDir() / "config.toml", p / "config.toml",
                fs::copy_options::overwrite_existing);
  fs::copy(SourceDir() / "migrations", p / "migrations",
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

}  // namespace

TEST_CASE("example project: build, run, status, down --all and run again on SQLite", "[e2e]") {
  Project p;
  CopyExample(p);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run"}).exit_code == 0);
  ProcessResult status = p.Run({"status"});
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("7 applied, 0 pending") && Catch::Contains("dev.db"));
  CHECK(p.Run({"down", "--all"}).exit_code == 0);
  CHECK(p.Run({"run"}).exit_code == 0);
}

TEST_CASE("example project: the same bundle runs on PostgreSQL with its variants",
          "[postgres][e2e]") {
  Project p;
  CopyExample(p);
  PgDatabase db;
  std::map<std::string, std::string> env{{"DATABASE_URL", db.url()}};
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run"}, env).exit_code == 0);
  CHECK(db.Query("SELECT data_type FROM information_schema.columns WHERE table_name = 'orders' "
                 "AND column_name = 'placed_at'") ==
        std::vector<std::string>{"timestamp with time zone"});
  CHECK(db.Query("SELECT count(*) FROM products") == std::vector<std::string>{"3"});
  std::string first = db.DumpSchema();
  REQUIRE(p.Run({"down", "--all"}, env).exit_code == 0);
  CHECK(db.Query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename NOT "
                 "LIKE 'migrate\\_%'") == std::vector<std::string>{"0"});
  REQUIRE(p.Run({"run"}, env).exit_code == 0);
  CHECK(db.DumpSchema() == first);
}

TEST_CASE("example project: plan --format sql piped to psql applies it, migrate agrees",
          "[postgres][e2e]") {
  Project p;
  CopyExample(p);
  PgDatabase db;
  std::map<std::string, std::string> env{{"DATABASE_URL", db.url()}};
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "20240105090000"}, env).exit_code == 0);

  ProcessResult text = p.Run({"plan"}, env);
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("6 pending migration(s)") &&
                           Catch::Contains("ACCESS EXCLUSIVE on products") &&
                           Catch::Contains("SHARE UPDATE EXCLUSIVE on orders") &&
                           Catch::Contains("no transaction: statement by statement") &&
                           Catch::Contains("lock_timeout 5s"));

  ProcessResult sql = p.Run({"plan", "--format", "sql"}, env);
  REQUIRE(sql.exit_code == 0);
  WriteFile(p / "plan.sql", sql.out);
  std::string psql = "/usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1 -d '" + db.url() +
                     "' -f " + (p / "plan.sql").string() + " > " + (p / "psql.log").string() +
                     " 2>&1";
  INFO(sql.out);
  REQUIRE(std::system(psql.c_str()) == 0);
  ProcessResult status = p.Run({"status"}, env);
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("7 applied, 0 pending"));
  ProcessResult run = p.Run({"run"}, env);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("Nothing to do"));
  CHECK(db.Query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"0"});
  CHECK(db.Query("SELECT indisvalid::text FROM pg_index WHERE indexrelid = "
                 "'orders_customer_placed_idx'::regclass") == std::vector<std::string>{"true"});
  // Nothing is left to plan.
  CHECK_THAT(p.Run({"plan"}, env).out, Catch::Contains("0 pending"));
}

TEST_CASE("example project: plan on SQLite shows the statements, sql scripts are for psql",
          "[e2e]") {
  Project p;
  CopyExample(p);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "20240105090300"}).exit_code == 0);
  ProcessResult text = p.Run({"plan"});
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("3 pending migration(s)") &&
                           Catch::Contains("database write lock") &&
                           Catch::Contains("ALTER TABLE products ADD COLUMN stock"));
  ProcessResult sql = p.Run({"plan", "--format", "sql"});
  CHECK(sql.exit_code == 2);
  CHECK_THAT(sql.err, Catch::Contains("psql scripts for PostgreSQL"));
}
