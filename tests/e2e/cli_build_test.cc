// End to end: `migrate new` and `migrate build` through the real binary.
#include <catch2/catch.hpp>
#include <regex>

#include "e2e/project.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

void AddShop(const Project& p) {
  p.Add("1_products.up.sql", "CREATE TABLE products (id INTEGER PRIMARY KEY);\n");
  p.Add("1_products.down.sql", "DROP TABLE products;\n");
  p.Add("2_orders.up.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY);\n");
  p.Add("2_orders.down.sql", "DROP TABLE orders;\n");
}

}  // namespace

TEST_CASE("e2e: new writes a timestamped pair with a helpful header", "[e2e]") {
  Project p;
  ProcessResult r = p.Run({"new", "Add orders table"});
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(p / "migrations"))
    names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  REQUIRE(names.size() == 2);
  std::smatch m;
  REQUIRE(std::regex_match(names[1], m, std::regex(R"((\d{14})_add_orders_table\.up\.sql)")));
  CHECK(names[0] == m[1].str() + "_add_orders_table.down.sql");
  std::string up = ReadFile(p / ("migrations/" + names[1]));
  CHECK_THAT(up,
             Catch::Contains("-- migrate:no-transaction") && Catch::Contains("Add orders table"));
  CHECK_THAT(r.out, Catch::Contains(names[1]));

  // A second one in the same second still gets its own version, and the pair builds.
  REQUIRE(p.Run({"new", "second"}).exit_code == 0);
  ProcessResult build = p.Run({"build"});
  CHECK(build.exit_code == 0);
  CHECK_THAT(build.out, Catch::Contains("Built 2 migrations"));
}

TEST_CASE("e2e: builds are deterministic and --check catches stale bundles", "[e2e]") {
  Project p;
  AddShop(p);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  auto first = Snapshot(p / "dist/migrations");
  ProcessResult again = p.Run({"build"});
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("was already up to date, nothing written"));
  CHECK(Snapshot(p / "dist/migrations") == first);
  CHECK(p.Run({"build", "--check"}).exit_code == 0);

  p.Add("2_orders.up.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER);\n");
  ProcessResult stale = p.Run({"build", "--check"});
  CHECK(stale.exit_code == 3);
  CHECK_THAT(stale.err,
             Catch::Contains("2_orders.up.sql differs") && Catch::Contains("migrate build"));
  CHECK(Snapshot(p / "dist/migrations") == first);  // --check writes nothing
}

TEST_CASE("e2e: a bad set reports every problem at once and leaves dist/ alone", "[e2e]") {
  Project p;
  AddShop(p);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  auto before = Snapshot(p / "dist/migrations");
  p.Add("create_users.sql", "CREATE TABLE users (id int);\n");  // bad name
  p.Add("3_users.up.sql", "CREATE TABLE users (id int);\n");    // no down
  p.Add("2_dupe.up.sql", "SELECT 1;\n");                        // duplicate version
  p.Add("2_dupe.down.sql", "SELECT 1;\n");
  p.Add("4_opts.up.sql", "-- migrate:transaction off\nSELECT 1;\n");  // unknown directive
  p.Add("4_opts.down.sql", "SELECT 1;\n");
  p.Add("5_latin1.up.sql", "INSERT INTO t VALUES ('caf\xE9');\n");  // not UTF-8
  p.Add("5_latin1.down.sql", "SELECT 1;\n");
  p.Add("6_empty.up.sql", "");  // fine: a no-op
  p.Add("6_empty.down.sql", "-- nothing\n");
  WriteFile(p / "migrations/README.md", "not a migration\n");  // ignored
  ProcessResult r = p.Run({"build"});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("migrations/create_users.sql: error[bad-name]"));
  CHECK_THAT(r.err, Catch::Contains("migrations/3_users.up.sql: error[missing-down]"));
  CHECK_THAT(r.err,
             Catch::Contains("migrations/2_orders") && Catch::Contains("error[duplicate-version]"));
  CHECK_THAT(r.err, Catch::Contains("migrations/4_opts.up.sql:1:1: error[bad-directive]"));
  CHECK_THAT(r.err, Catch::Contains("migrations/5_latin1.up.sql:1:") &&
                        Catch::Contains("error[not-utf8]"));
  CHECK_THAT(r.err, !Catch::Contains("6_empty") && !Catch::Contains("README"));
  CHECK_THAT(r.err, Catch::Contains("left as it was"));
  CHECK(Snapshot(p / "dist/migrations") == before);
}

TEST_CASE("e2e: app and plugin folders merge into one bundle, a clash names both", "[e2e]") {
  Project p("migrations = [\"migrations\", \"plugins/*/migrations\"]\n");
  AddShop(p);
  WriteFile(p / "plugins/payments/migrations/15_payments.up.sql",
            "CREATE TABLE payments (id int);\n");
  WriteFile(p / "plugins/payments/migrations/15_payments.down.sql", "DROP TABLE payments;\n");
  WriteFile(p / "plugins/audit/migrations/3_audit.up.sql", "CREATE TABLE audit (id int);\n");
  WriteFile(p / "plugins/audit/migrations/3_audit.down.sql", "DROP TABLE audit;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  std::string manifest = ReadFile(p / "dist/migrations/manifest.toml");
  CHECK_THAT(manifest, Catch::Contains("source = 'plugins/audit/migrations'"));
  ProcessResult run = p.Run({"run"});
  REQUIRE(run.exit_code == 0);
  CHECK(p.Query("SELECT version FROM migrate_log WHERE event = 'up' ORDER BY id") ==
        std::vector<std::string>{"1", "2", "3", "15"});

  WriteFile(p / "plugins/audit/migrations/2_clash.up.sql", "SELECT 1;\n");
  WriteFile(p / "plugins/audit/migrations/2_clash.down.sql", "SELECT 1;\n");
  ProcessResult clash = p.Run({"build"});
  CHECK(clash.exit_code == 3);
  CHECK_THAT(clash.err, Catch::Contains("plugins/audit/migrations/2_clash.up.sql") &&
                            Catch::Contains("migrations/2_orders"));
}

TEST_CASE("e2e: config errors exit 2 with file:line:column", "[e2e]") {
  Project p;
  WriteFile(p / "config.toml", "[project]\nmigrations = \"migrations\"\ndist_dir = \"out\"\n");
  ProcessResult r = p.Run({"build"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("config.toml:3:1: unknown key 'dist_dir'"));
  CHECK(p.Run({"--config", "nope.toml", "build"}).exit_code == 2);
  Project q;
  CHECK(q.Run({"--env", "staging", "status"}).exit_code == 2);
  CHECK(q.Run({"frobnicate"}).exit_code == 2);
}

TEST_CASE("e2e: build rehearses the SQLite chain and names what a down leaves behind", "[e2e]") {
  Project p;
  AddShop(p);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  auto before = Snapshot(p / "dist/migrations");
  p.Add("3_audit.up.sql", "CREATE TABLE audit (id int);\nCREATE TABLE audit_archive (id int);\n");
  p.Add("3_audit.down.sql", "DROP TABLE audit;\n");
  ProcessResult r = p.Run({"build"});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("migrations/3_audit.down.sql: error[down-leftover]") &&
                        Catch::Contains("left over: table audit_archive"));
  CHECK(Snapshot(p / "dist/migrations") == before);
}

TEST_CASE("e2e: lint findings are warnings, --strict and [lint] make them fail", "[e2e]") {
  Project p("dialects = [\"postgres\"]\n");
  p.Add("1_users.up.sql", "CREATE TABLE users (id int PRIMARY KEY, email text);\n");
  p.Add("1_users.down.sql", "DROP TABLE users;\n");
  p.Add("2_email_idx.up.sql",
        "-- migrate:lock-timeout 5s\nCREATE INDEX users_email ON users (email);\n");
  p.Add("2_email_idx.down.sql", "DROP INDEX users_email;\n");
  ProcessResult warn = p.Run({"build"});
  CHECK(warn.exit_code == 0);
  CHECK_THAT(
      warn.err,
      Catch::Contains("migrations/2_email_idx.up.sql:2:1: warning[require-concurrent-index]") &&
          Catch::Contains("Fix: CREATE INDEX CONCURRENTLY"));
  auto built = Snapshot(p / "dist/migrations");
  p.Add("2_email_idx.up.sql",
        "-- migrate:lock-timeout 5s\nCREATE INDEX users_email ON users (email, id);\n");
  ProcessResult strict = p.Run({"build", "--strict"});
  CHECK(strict.exit_code == 3);
  CHECK_THAT(strict.err, Catch::Contains("error[require-concurrent-index]"));
  CHECK(Snapshot(p / "dist/migrations") == built);

  WriteFile(p / "config.toml",
            "[project]\ndialects = [\"postgres\"]\n\n[lint]\nrequire-concurrent-index = \"off\"\n");
  ProcessResult off = p.Run({"build", "--strict"});
  CHECK(off.exit_code == 0);
  CHECK_THAT(off.err, !Catch::Contains("require-concurrent-index"));
}

TEST_CASE("e2e: syntax errors in two PostgreSQL files are both reported with line:column",
          "[e2e]") {
  Project p("dialects = [\"postgres\"]\n");
  p.Add("1_a.up.sql", "CREATE TABLE a (id int);\nCREATE TABLEE b (id int);\n");
  p.Add("1_a.down.sql", "DROP TABLE a;\n");
  p.Add("2_b.up.sql", "-- header\n\nSELECT * FROM a WHERE;\n");
  p.Add("2_b.down.sql", "SELECT 1;\n");
  ProcessResult r = p.Run({"build"});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err,
             Catch::Contains(
                 "migrations/1_a.up.sql:2:8: error[syntax]: syntax error at or near \"TABLEE\"") &&
                 Catch::Contains(
                     "migrations/2_b.up.sql:3:22: error[syntax]: syntax error at or near \";\"") &&
                 Catch::Contains("build failed with 2 error(s)"));
  CHECK_FALSE(fs::exists(p / "dist"));
}

namespace {

// Runs `migrate args` on a pseudo-terminal (util-linux `script`) in the project, with `env`
// (`env` arguments, e.g. "NO_COLOR=1") and NO_COLOR otherwise unset; returns what it printed.
std::string OnTerminal(const Project& p, const std::string& args, const std::string& env = "") {
  std::string out = (p / "terminal.out").string();
  std::string command = "cd '" + p.dir().path().string() + "' && env -u NO_COLOR " + env +
                        " script -qec '" + MIGRATE_BINARY + " " + args + "' /dev/null > '" + out +
                        "' 2>&1";
  REQUIRE(std::system(command.c_str()) != -1);
  return ReadFile(out);
}

}  // namespace

TEST_CASE("e2e: colour on a terminal only, never with --no-color or NO_COLOR", "[e2e]") {
  Project p;
  p.Add("1_a.up.sql", "CREATE TABLE a (id INTEGER);\n");  // no down: an error to show
  const std::string kEscape = "\033[";
  std::string coloured = OnTerminal(p, "build");
  CHECK_THAT(coloured, Catch::Contains("error[missing-down]") && Catch::Contains(kEscape));
  std::string flag = OnTerminal(p, "--no-color build");
  CHECK_THAT(flag, Catch::Contains("error[missing-down]") && !Catch::Contains(kEscape));
  std::string env = OnTerminal(p, "build", "NO_COLOR=1");
  CHECK_THAT(env, Catch::Contains("error[missing-down]") && !Catch::Contains(kEscape));
  ProcessResult piped = p.Run({"build"});  // not a terminal
  CHECK(piped.exit_code == 3);
  CHECK_THAT(piped.err, Catch::Contains("error[missing-down]") && !Catch::Contains(kEscape));
}
