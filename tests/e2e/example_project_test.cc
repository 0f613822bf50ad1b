// The example project in the repository (config.toml + migrations/) runs on SQLite and on
// PostgreSQL, forwards and back. It is copied to a temporary folder so runs never touch the
// checkout.
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "e2e/project.h"
#include "support/pg.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

// The example's up files for `dialect` in version order, as one script for sqlite3 or psql:
// the database a team built by hand before it used migrate.
std::string ByHand(const Project& p, const std::string& dialect) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(p / "migrations"))
    names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  std::string script;
  for (const std::string& name : names) {
    const std::string kUp = ".up.sql";
    if (name.size() < kUp.size() || name.compare(name.size() - kUp.size(), kUp.size(), kUp) != 0 ||
        name.find(".postgres.") != std::string::npos ||
        name.find(".sqlite.") != std::string::npos) {
      continue;  // variants are picked below, in place of their generic file
    }
    std::string variant = name.substr(0, name.size() - kUp.size()) + "." + dialect + kUp;
    bool has_variant = fs::exists(p / ("migrations/" + variant));
    script += ReadFile(p / ("migrations/" + (has_variant ? variant : name))) + "\n";
  }
  return script;
}

const std::string kNewest = "20240105090600";

void AddCoupons(const Project& p) {
  p.Add("20991231000000_add_coupons.up.sql", "CREATE TABLE coupons (code text PRIMARY KEY);\n");
  p.Add("20991231000000_add_coupons.down.sql", "DROP TABLE coupons;\n");
}

}  // namespace

TEST_CASE("example project: build, run, status, down --all and run again on SQLite", "[e2e]") {
  Project p;
  p.CopyExample();
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
  p.CopyExample();
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
  p.CopyExample();
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

  // The script moved the history past the snapshot of the last run: drift cannot tell the
  // script's migrations from hand changes, says so, and the next down is not refused.
  ProcessResult drift = p.Run({"drift"}, env);
  CHECK(drift.exit_code == 2);
  CHECK_THAT(drift.err, Catch::Contains("the history changed after the newest schema snapshot"));
  ProcessResult down = p.Run({"down"}, env);
  CHECK(down.exit_code == 0);
  CHECK_THAT(down.err, Catch::Contains("not checked for drift"));
  CHECK(p.Run({"drift"}, env).exit_code == 0);  // the down's snapshot is of this history
}

TEST_CASE("example project: plan on SQLite shows the statements, sql scripts are for psql",
          "[e2e]") {
  Project p;
  p.CopyExample();
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

TEST_CASE("example project: a database built by hand with sqlite3 is baselined, then migrated",
          "[e2e]") {
  Project p;
  p.CopyExample();
  WriteFile(p / "by-hand.sql", ByHand(p, "sqlite"));
  REQUIRE(std::system(("cd '" + p.dir().path().string() + "' && sqlite3 -bail dev.db < by-hand.sql")
                          .c_str()) == 0);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult baseline = p.Run({"baseline", "--check", kNewest});
  INFO(baseline.err);
  REQUIRE(baseline.exit_code == 0);
  CHECK_THAT(baseline.out, Catch::Contains("Baselined 7 migration(s)"));
  AddCoupons(p);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult run = p.Run({"run"});
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("Applied 1 migration(s)") &&
                          Catch::Contains("20991231000000  add_coupons"));
  ProcessResult status = p.Run({"status"});
  CHECK_THAT(status.out, Catch::Contains("baseline 20240105090000  create_products") &&
                             Catch::Contains("applied  20991231000000  add_coupons") &&
                             Catch::Contains("1 applied, 0 pending, 7 baselined"));
  CHECK(p.Run({"drift"}).exit_code == 0);
  CHECK(p.Run({"baseline", kNewest}).exit_code == 2);  // the database has history now
}

TEST_CASE("example project: baseline --check refuses a database missing an index", "[e2e]") {
  Project p;
  p.CopyExample();
  WriteFile(p / "by-hand.sql", ByHand(p, "sqlite") + "DROP INDEX orders_customer_placed_idx;\n");
  REQUIRE(std::system(("cd '" + p.dir().path().string() + "' && sqlite3 -bail dev.db < by-hand.sql")
                          .c_str()) == 0);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult check = p.Run({"baseline", "--check", kNewest});
  CHECK(check.exit_code == 4);
  CHECK_THAT(check.err, Catch::Contains("- index orders.orders_customer_placed_idx") &&
                            Catch::Contains("baseline refused"));
  ProcessResult unknown = p.Run({"baseline", "--check", "19990101000000"});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("no migration with that version in the bundle"));
  ProcessResult dev_url = p.Run({"baseline", "--check", "--dev-url", "sqlite:x.db", kNewest});
  CHECK(dev_url.exit_code == 2);
  CHECK_THAT(dev_url.err, Catch::Contains("is for PostgreSQL"));
  SQLite::Database db((p / "dev.db").string());
  CHECK_FALSE(db.tableExists("migrate_history"));  // nothing was written
}

TEST_CASE("example project: a database built by hand with psql is baselined, then migrated",
          "[postgres][e2e]") {
  Project p;
  p.CopyExample();
  PgDatabase db;
  std::map<std::string, std::string> env{{"DATABASE_URL", db.url()}};
  WriteFile(p / "by-hand.sql", ByHand(p, "postgres"));
  std::string psql = "/usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1 -d '" + db.url() +
                     "' -f " + (p / "by-hand.sql").string() + " > /dev/null 2>&1";
  REQUIRE(std::system(psql.c_str()) == 0);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ChildProcess child = StartMigrate({"baseline", "--check", kNewest}, p.dir().path(), env);
  ProcessResult baseline = Wait(child);
  INFO(baseline.err);
  REQUIRE(baseline.exit_code == 0);
  // The --check scratch database is gone (named after its process: other tests make theirs).
  CHECK(db.Query("SELECT count(*) FROM pg_database WHERE datname LIKE 'migrate\\_scratch\\_" +
                 std::to_string(child.pid) + "\\_%'") == std::vector<std::string>{"0"});
  AddCoupons(p);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult run = p.Run({"run"}, env);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("Applied 1 migration(s)"));
  CHECK_THAT(p.Run({"status"}, env).out, Catch::Contains("baseline 20240105090600  seed_products"));

  PgDatabase lacking;
  std::map<std::string, std::string> lacking_env{{"DATABASE_URL", lacking.url()}};
  std::string psql2 = "/usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1 -d '" +
                      lacking.url() + "' -f " + (p / "by-hand.sql").string() +
                      " -c 'DROP INDEX orders_customer_placed_idx' > /dev/null 2>&1";
  REQUIRE(std::system(psql2.c_str()) == 0);
  ProcessResult check = p.Run({"baseline", "--check", kNewest}, lacking_env);
  CHECK(check.exit_code == 4);
  CHECK_THAT(check.err, Catch::Contains("- index public.orders.orders_customer_placed_idx"));
}

TEST_CASE("example project: verify passes on SQLite", "[e2e]") {
  Project p;
  p.CopyExample();
  REQUIRE(p.Run({"--quiet", "build"}).exit_code == 0);
  ProcessResult r = p.Run({"verify", "--database", "sqlite:scratch.db"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("ok      20240105090500  index_orders_by_customer") &&
                        Catch::Contains("7 checked, 7 passed, 0 failed, 0 not checked"));
  CHECK_FALSE(fs::exists(p / "dev.db"));  // the local environment was not touched
}

TEST_CASE("example project: verify passes on PostgreSQL, its variants included",
          "[postgres][e2e]") {
  Project p;
  p.CopyExample();
  REQUIRE(p.Run({"--quiet", "build"}).exit_code == 0);
  ProcessResult r = p.Run({"verify", "--dev-url", PgAdminUrl()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("on a temporary database on postgres://") &&
                        Catch::Contains("ok      20240105090500  index_orders_by_customer") &&
                        Catch::Contains("7 checked, 7 passed, 0 failed, 0 not checked"));
  PgDatabase db;  // a named, empty database works as well, and keeps every migration
  ProcessResult named = p.Run({"--quiet", "verify", "--database", db.url()});
  CHECK(named.exit_code == 0);
  CHECK(db.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"7"});
}

// docs/guide.md "Rehearse before production": the three commands, each proving its part.
TEST_CASE("example project: the rehearsal workflow, dry run, verify, then production",
          "[postgres][e2e]") {
  Project p;
  p.CopyExample();
  REQUIRE(p.Run({"--quiet", "build"}).exit_code == 0);
  ProcessResult dry = p.Run({"run", "--env", "local", "--dry-run"});
  CHECK(dry.exit_code == 0);
  CHECK_THAT(dry.out, Catch::Contains("Dry run: 7 migration(s) applied"));
  CHECK_FALSE(fs::exists(p / "dev.db"));
  ProcessResult verify = p.Run({"verify", "--env", "scratch"});
  CHECK(verify.exit_code == 0);
  CHECK_THAT(verify.out, Catch::Contains("7 checked, 7 passed, 0 failed"));
  // The scratch environment on PostgreSQL: its dev_url, a temporary database there.
  std::string config = ReadFile(p / "config.toml");
  WriteFile(p / "config.toml", config +
                                   "\n[environments.pgscratch]\nurl = \"sqlite::memory:\"\n"
                                   "dev_url = \"${DEV_DATABASE_URL}\"\n");
  ProcessResult pg_verify =
      p.Run({"verify", "--env", "pgscratch"}, {{"DEV_DATABASE_URL", PgAdminUrl()}});
  CHECK(pg_verify.exit_code == 0);
  CHECK_THAT(pg_verify.out, Catch::Contains("on a temporary database on postgres://") &&
                                Catch::Contains("7 checked, 7 passed, 0 failed"));
  PgDatabase production;
  ProcessResult run = p.Run({"run", "--env", "production"}, {{"DATABASE_URL", production.url()}});
  CHECK(run.exit_code == 0);
  CHECK(production.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"7"});
}

// schema/ declares what the migrations build, on both dialects: `diff --check` proves it in
// every scripts/test run, and a declared change gives a migration the build accepts.
TEST_CASE("example project: the migrations build the declared schema on both dialects",
          "[postgres][e2e]") {
  Project p;
  p.CopyExample();
  ProcessResult sqlite = p.Run({"diff", "--check", "--dialect", "sqlite"});
  INFO(sqlite.out << sqlite.err);
  CHECK(sqlite.exit_code == 0);
  CHECK_THAT(sqlite.out, Catch::Contains("The migrations build the declared schema"));
  ProcessResult pg = p.Run({"diff", "--check", "--dialect", "postgres", "--dev-url", PgAdminUrl()});
  INFO(pg.out << pg.err);
  CHECK(pg.exit_code == 0);
  // A declared change on both dialects: --check names it, diff writes each dialect's variant
  // under one version, and the build takes them.
  for (const char* file : {"schema/products.sql", "schema/products.postgres.sql"}) {
    std::string products = ReadFile(p / file);
    products.replace(products.rfind("\n);"), 3, ",\n  weight_grams INTEGER\n);");
    WriteFile(p / file, products);
  }
  ProcessResult check = p.Run({"diff", "--check", "--dialect", "sqlite"});
  CHECK(check.exit_code == 4);
  CHECK_THAT(check.err, Catch::Contains("+ column products.weight_grams position=7"));
  ProcessResult diff = p.Run({"diff", "add product weight", "--dev-url", PgAdminUrl()});
  INFO(diff.out << diff.err);
  REQUIRE(diff.exit_code == 0);
  CHECK_THAT(diff.out, Catch::Contains("_add_product_weight.postgres.up.sql") &&
                           Catch::Contains("_add_product_weight.sqlite.up.sql"));
  ProcessResult build = p.Run({"build"});
  INFO(build.out << build.err);
  CHECK(build.exit_code == 0);
  ProcessResult after = p.Run({"diff", "--check", "--dev-url", PgAdminUrl()});
  INFO(after.out << after.err);
  CHECK(after.exit_code == 0);
}
