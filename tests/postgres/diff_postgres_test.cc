// End to end on PostgreSQL: `migrate diff` writes the change and its CONCURRENTLY index
// migration, reads a target's server without --dev-url, drops its temporary databases also
// when it fails, and writes every dialect's variant under one version.
#include <algorithm>
#include <catch2/catch.hpp>
#include <regex>

#include "e2e/project.h"
#include "support/pg.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

const char* kCoupons = "CREATE TABLE coupons (code TEXT PRIMARY KEY, percent INTEGER);\n";

}  // namespace

namespace {

// The temporary databases the migrate process `pid` made that still exist.
std::vector<std::string> ScratchDatabasesOf(const PgDatabase& db, pid_t pid) {
  return db.Query("SELECT datname FROM pg_database WHERE datname LIKE 'migrate\\_scratch\\_" +
                  std::to_string(pid) + "\\_%'");
}

// Runs `diff args... --dialect postgres --dev-url ADMIN` in `p`; `pid` gets its process id.
ProcessResult PgDiff(const Project& p, std::vector<std::string> args, pid_t& pid) {
  args.insert(args.begin(), "diff");
  args.insert(args.end(), {"--dialect", "postgres", "--dev-url", PgAdminUrl()});
  ChildProcess child = StartMigrate(args, p.dir().path());
  pid = child.pid;
  return Wait(child);
}

void AddPgShop(const Project& p) {
  p.Add("1_products.up.sql", "CREATE TABLE products (id bigint PRIMARY KEY, name text);\n");
  p.Add("1_products.down.sql", "DROP TABLE products;\n");
  p.Add("2_mood.up.sql", "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\n");
  p.Add("2_mood.down.sql", "DROP TYPE mood;\n");
}

}  // namespace

TEST_CASE("e2e (postgres): diff writes the change and its CONCURRENTLY index pair, and they run",
          "[postgres][e2e]") {
  Project p("dialects = [\"postgres\"]\n");
  AddPgShop(p);
  WriteFile(p / "schema/shop.sql",
            "CREATE TABLE products (id bigint PRIMARY KEY, name text);\n"
            "CREATE INDEX products_name ON products (name);\n"
            "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\n");
  WriteFile(p / "schema/coupons.postgres.sql",
            "CREATE TABLE coupons (code text PRIMARY KEY, percent int NOT NULL);\n");
  WriteFile(p / "schema/coupons.sql", "this is not SQL for PostgreSQL;\n");
  PgDatabase db;
  pid_t pid = 0;
  ProcessResult diff = PgDiff(p, {"add coupons"}, pid);
  INFO(diff.out << diff.err);
  REQUIRE(diff.exit_code == 0);
  CHECK(ScratchDatabasesOf(db, pid).empty());
  std::vector<std::string> main = Written(p, "add_coupons");
  std::vector<std::string> indexes = Written(p, "add_coupons_indexes");
  REQUIRE(main.size() == 2);
  REQUIRE(indexes.size() == 2);
  CHECK(main[1].substr(0, 14) < indexes[1].substr(0, 14));  // the indexes come after
  CHECK_THAT(MigrationText(p, main[1]), Catch::Contains("CREATE TABLE") &&
                                            Catch::Contains("coupons") &&
                                            !Catch::Contains("CONCURRENTLY"));
  CHECK_THAT(MigrationText(p, indexes[1]), Catch::Contains("-- migrate:no-transaction") &&
                                               Catch::Contains("CREATE INDEX CONCURRENTLY") &&
                                               Catch::Contains("products_name"));
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult run = p.Run({"--database", db.url(), "run"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK(db.Query("SELECT to_regclass('products_name') IS NOT NULL AND "
                 "to_regclass('coupons') IS NOT NULL") == std::vector<std::string>{"t"});
  // --check on the target's server (no --dev-url): the migrations now build schema/.
  ProcessResult check = p.Run({"--database", db.url(), "diff", "--check"});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK_THAT(check.out, Catch::Contains("(schema/, postgres)"));
}

TEST_CASE("e2e (postgres): a failing diff leaves no temporary database and writes nothing",
          "[postgres][e2e]") {
  Project p("dialects = [\"postgres\"]\n");
  AddPgShop(p);
  WriteFile(p / "schema/shop.sql",
            "CREATE TABLE products (id bigint PRIMARY KEY, name text);\n"
            "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\n");
  WriteFile(p / "schema/views.sql", "\nCREATE VIEW v AS SELECT * FROM missing;\n");
  auto migrations = Snapshot(p / "migrations");
  PgDatabase db;
  pid_t pid = 0;
  ProcessResult never = PgDiff(p, {"v"}, pid);
  INFO(never.out << never.err);
  CHECK(never.exit_code == 3);
  CHECK_THAT(never.err, Catch::Contains("schema/views.sql:2") && Catch::Contains("missing"));
  CHECK(ScratchDatabasesOf(db, pid).empty());
  CHECK(Snapshot(p / "migrations") == migrations);
  // An enum value removed from schema/: PostgreSQL cannot, the message says what to do.
  fs::remove(p / "schema/views.sql");
  WriteFile(p / "schema/shop.sql",
            "CREATE TABLE products (id bigint PRIMARY KEY, name text);\n"
            "CREATE TYPE mood AS ENUM ('sad', 'happy');\n");
  ProcessResult enum_gone = PgDiff(p, {"calmer"}, pid);
  INFO(enum_gone.out << enum_gone.err);
  CHECK(enum_gone.exit_code == 2);
  CHECK_THAT(enum_gone.err, Catch::Contains("mood: it loses 'ok'") &&
                                Catch::Contains("PostgreSQL cannot remove or move an enum value") &&
                                Catch::Contains("migrate new"));
  CHECK(ScratchDatabasesOf(db, pid).empty());
  CHECK(Snapshot(p / "migrations") == migrations);
  // A migration that fails when replayed.
  p.Add("3_bad.up.sql", "ALTER TABLE nosuch ADD COLUMN x int;\n");
  p.Add("3_bad.down.sql", "SELECT 1;\n");
  migrations = Snapshot(p / "migrations");
  ProcessResult failed = PgDiff(p, {"--check"}, pid);
  INFO(failed.out << failed.err);
  CHECK(failed.exit_code == 3);  // the migrations do not build, as for migrate build
  CHECK_THAT(failed.err, Catch::Contains("3_bad.up.sql:1") && Catch::Contains("nosuch"));
  CHECK(ScratchDatabasesOf(db, pid).empty());
  CHECK(Snapshot(p / "migrations") == migrations);
}

// Variants: without --dialect, one diff writes V_NAME.postgres.* and V_NAME.sqlite.* under one
// version, and the build takes them.
TEST_CASE("e2e (postgres): a two-dialect project gets both variants under one version",
          "[postgres][e2e]") {
  Project p("dialects = [\"postgres\", \"sqlite\"]\n");
  p.Add("1_t.up.sql", "CREATE TABLE t (id int PRIMARY KEY);\n");
  p.Add("1_t.down.sql", "DROP TABLE t;\n");
  WriteFile(p / "schema/t.sql", "CREATE TABLE t (id int PRIMARY KEY);\n" + std::string(kCoupons));
  ProcessResult both = p.Run({"diff", "coupons", "--dev-url", PgAdminUrl()});
  INFO(both.out << both.err);
  REQUIRE(both.exit_code == 0);
  std::vector<std::string> written;
  for (const auto& e : fs::directory_iterator(p / "migrations")) {
    std::string name = e.path().filename();
    if (name.find("_coupons.") != std::string::npos) written.push_back(name.substr(14));
  }
  std::sort(written.begin(), written.end());
  CHECK(written == std::vector<std::string>{"_coupons.postgres.down.sql",
                                            "_coupons.postgres.up.sql", "_coupons.sqlite.down.sql",
                                            "_coupons.sqlite.up.sql"});
  ProcessResult build = p.Run({"build"});
  INFO(build.out << build.err);
  CHECK(build.exit_code == 0);
}
