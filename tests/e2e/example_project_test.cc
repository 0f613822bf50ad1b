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
