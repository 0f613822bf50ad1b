// End to end: `migrate diff` (the migration from the declared schema in schema/, or --check
// that the migrations build it) and `migrate inspect` (a live database as schema/ files),
// through the real binary: exit codes, messages, and that a refusal writes or loses nothing.
#include <algorithm>
#include <catch2/catch.hpp>
#include <regex>

#include "e2e/project.h"
#include "support/pg.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

// products and orders (a foreign key, an index), as SQLite migrations.
void AddShop(const Project& p) {
  p.Add("1_products.up.sql", "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT);\n");
  p.Add("1_products.down.sql", "DROP TABLE products;\n");
  p.Add("2_orders.up.sql",
        "CREATE TABLE orders (id INTEGER PRIMARY KEY,\n"
        "  product_id INTEGER REFERENCES products (id), qty INTEGER NOT NULL);\n"
        "CREATE INDEX orders_product ON orders (product_id);\n");
  p.Add("2_orders.down.sql", "DROP TABLE orders;\n");
}

// The same two tables as one declared schema file.
const char* kShopSchema =
    "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT);\n"
    "CREATE TABLE orders (id INTEGER PRIMARY KEY,\n"
    "  product_id INTEGER REFERENCES products (id), qty INTEGER NOT NULL);\n"
    "CREATE INDEX orders_product ON orders (product_id);\n";

const char* kCoupons = "CREATE TABLE coupons (code TEXT PRIMARY KEY, percent INTEGER);\n";

}  // namespace

TEST_CASE("e2e: inspect writes a built and run SQLite database as schema/, diff --check agrees",
          "[e2e]") {
  Project p;
  AddShop(p);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run"}).exit_code == 0);
  ProcessResult inspect = p.Run({"inspect"});
  INFO(inspect.out << inspect.err);
  REQUIRE(inspect.exit_code == 0);
  CHECK_THAT(inspect.out, Catch::Contains("file(s) into " + (p / "schema").string()) &&
                              Catch::Contains("(sqlite)"));
  std::map<std::string, std::string> files = Snapshot(p / "schema");
  REQUIRE_FALSE(files.empty());
  std::string all;
  for (const auto& [name, text] : files) all += name + "\n" + text;
  CHECK_THAT(all, Catch::Contains("products") && Catch::Contains("orders") &&
                      Catch::Contains("orders_product"));
  // What every migrate database has is not part of the schema.
  CHECK_THAT(all, !Catch::Contains("migrate_history") && !Catch::Contains("sqlite_sequence"));
  ProcessResult check = p.Run({"diff", "--check"});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK_THAT(check.out,
             Catch::Contains("The migrations build the declared schema (schema/, sqlite)"));
  auto migrations = Snapshot(p / "migrations");
  ProcessResult same = p.Run({"diff", "nothing"});
  CHECK(same.exit_code == 0);
  CHECK_THAT(same.out, Catch::Contains("No difference") && Catch::Contains("Nothing written"));
  CHECK(Snapshot(p / "migrations") == migrations);
  CHECK(Snapshot(p / "schema") == files);  // diff never writes schema/
}

TEST_CASE("e2e: inspect refuses a folder holding .sql files and --force replaces them", "[e2e]") {
  Project p;
  AddShop(p);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run"}).exit_code == 0);
  WriteFile(p / "schema/old.sql", "CREATE TABLE old (id INTEGER);\n");
  WriteFile(p / "schema/README.md", "notes, not schema\n");
  auto before = Snapshot(p / "schema");
  ProcessResult refused = p.Run({"inspect"});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains((p / "schema").string() + " holds 1 .sql file(s)") &&
                              Catch::Contains("--out DIR") && Catch::Contains("--force"));
  CHECK(Snapshot(p / "schema") == before);
  // Another folder is fine; a folder with no .sql file in it too.
  ProcessResult other = p.Run({"inspect", "--out", "elsewhere"});
  CHECK(other.exit_code == 0);
  CHECK_THAT(other.out, Catch::Contains((p / "elsewhere").string()));
  CHECK(Snapshot(p / "schema") == before);
  ProcessResult forced = p.Run({"inspect", "--force"});
  INFO(forced.out << forced.err);
  REQUIRE(forced.exit_code == 0);
  auto after = Snapshot(p / "schema");
  CHECK(after.count("old.sql") == 0);
  CHECK(after.count("README.md") == 1);  // only .sql files are replaced
  after.erase("README.md");
  CHECK(after == Snapshot(p / "elsewhere"));
  CHECK(p.Run({"diff", "--check"}).exit_code == 0);
}

TEST_CASE("e2e: diff --check exits 4 listing + and - lines, 0 when equal, and equal writes nothing",
          "[e2e]") {
  Project p;
  AddShop(p);
  WriteFile(p / "schema/shop.sql", kShopSchema);
  // The dialect's variant wins over the plain file.
  WriteFile(p / "schema/extra.sql",
            "CREATE TABLE extra (id serial PRIMARY KEY) WITH (fillfactor=70);\n");
  WriteFile(p / "schema/extra.sqlite.sql", "-- nothing here for SQLite\n");
  auto migrations = Snapshot(p / "migrations");
  ProcessResult equal = p.Run({"diff", "--check"});
  INFO(equal.out << equal.err);
  CHECK(equal.exit_code == 0);
  CHECK_THAT(equal.out,
             Catch::Contains("The migrations build the declared schema (schema/, sqlite)."));
  ProcessResult none = p.Run({"diff", "anything"});
  CHECK(none.exit_code == 0);
  CHECK_THAT(none.out, Catch::Contains("No difference: the migrations build the declared schema "
                                       "(schema/). Nothing written."));
  WriteFile(p / "schema/coupons.sql", kCoupons);
  WriteFile(p / "schema/shop.sql",  // orders dropped, products.name gone
            "CREATE TABLE products (id INTEGER PRIMARY KEY);\n");
  ProcessResult differs = p.Run({"diff", "--check"});
  INFO(differs.out << differs.err);
  CHECK(differs.exit_code == 4);
  CHECK_THAT(differs.err,
             Catch::Contains("The migrations do not build the declared schema (schema/, sqlite)") &&
                 Catch::Contains("'migrate diff NAME' writes the migration"));
  CHECK_THAT(differs.err, Catch::Contains("\n+ table coupons") &&
                              Catch::Contains("\n- table orders") && Catch::Contains("products"));
  CHECK(Snapshot(p / "migrations") == migrations);
}

TEST_CASE("e2e: diff NAME writes a pair that builds, runs and then matches schema/", "[e2e]") {
  Project p;
  AddShop(p);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run"}).exit_code == 0);
  p.Exec("INSERT INTO products VALUES (1, 'tea')");
  WriteFile(p / "schema/shop.sql", kShopSchema);
  WriteFile(p / "schema/coupons.sql", kCoupons);
  ProcessResult diff = p.Run({"diff", "Add coupons"});
  INFO(diff.out << diff.err);
  REQUIRE(diff.exit_code == 0);
  std::vector<std::string> written = Written(p, "add_coupons");
  REQUIRE(written.size() == 2);
  CHECK_THAT(diff.out, Catch::Contains("Wrote " + (p / "migrations" / written[1]).string()) &&
                           Catch::Contains((p / "migrations" / written[0]).string()));
  CHECK_THAT(MigrationText(p, written[1]), Catch::Contains("CREATE TABLE coupons"));
  CHECK_THAT(MigrationText(p, written[0]), Catch::Contains("DROP TABLE coupons"));
  CHECK(Snapshot(p / "migrations").size() == 6);
  CHECK(p.Run({"build"}).exit_code == 0);
  ProcessResult run = p.Run({"run"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("Applied 1 migration(s)"));
  CHECK(p.Tables() == std::vector<std::string>{"coupons", "orders", "products"});
  CHECK(p.Query("SELECT name FROM products") == std::vector<std::string>{"tea"});
  CHECK(p.Run({"diff", "--check"}).exit_code == 0);
  // Its down undoes it.
  CHECK(p.Run({"down"}).exit_code == 0);
  CHECK(p.Tables() == std::vector<std::string>{"orders", "products"});
}

TEST_CASE("e2e: diff without schema/ or with a bad command line exits 2 and writes nothing",
          "[e2e]") {
  Project p;
  AddShop(p);
  auto migrations = Snapshot(p / "migrations");
  ProcessResult missing = p.Run({"diff", "x"});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("no declared schema: " + (p / "schema").string()) &&
                              Catch::Contains("migrate inspect --out"));
  CHECK(p.Run({"diff", "--check"}).exit_code == 2);
  WriteFile(p / "schema/shop.sql", kShopSchema);
  WriteFile(p / "schema/coupons.sql", kCoupons);
  ProcessResult named_check = p.Run({"diff", "--check", "x"});
  CHECK(named_check.exit_code == 2);
  CHECK_THAT(named_check.err, Catch::Contains("--check writes nothing: give no NAME"));
  ProcessResult no_name = p.Run({"diff"});
  CHECK(no_name.exit_code == 2);
  CHECK_THAT(no_name.err, Catch::Contains("diff needs a NAME"));
  ProcessResult nosuch = p.Run({"diff", "x", "--rename", "nosuch=x"});
  CHECK(nosuch.exit_code == 2);
  CHECK_THAT(nosuch.err, Catch::Contains("--rename nosuch=x: the current schema has no table or "
                                         "column nosuch"));
  ProcessResult malformed = p.Run({"diff", "x", "--rename", "orders"});
  CHECK(malformed.exit_code == 2);
  CHECK_THAT(malformed.err, Catch::Contains("--rename orders: write OLD=NEW"));
  ProcessResult dialect = p.Run({"diff", "x", "--dialect", "oracle"});
  CHECK(dialect.exit_code == 2);
  CHECK_THAT(dialect.err, Catch::Contains("--dialect oracle: not a dialect"));
  CHECK(Snapshot(p / "migrations") == migrations);
}

TEST_CASE("e2e: the project key schema names the folder diff reads and reports", "[e2e]") {
  Project p("schema = \"db/declared\"\n");
  AddShop(p);
  ProcessResult missing = p.Run({"diff", "--check"});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains((p / "db/declared").string()));
  WriteFile(p / "db/declared/shop.sql", kShopSchema);
  ProcessResult check = p.Run({"diff", "--check"});
  CHECK(check.exit_code == 0);
  CHECK_THAT(check.out, Catch::Contains("(db/declared/, sqlite)"));
}

TEST_CASE("e2e: a schema/ statement that never runs, or a badly named migration, exits 3",
          "[e2e]") {
  Project p;
  AddShop(p);
  WriteFile(p / "schema/shop.sql", kShopSchema);
  WriteFile(p / "schema/late.sql",  // SQLite takes a view on a missing table, not an index
            "-- an index on a table nobody declares\n\n"
            "CREATE INDEX big_orders ON missing (qty);\n");
  auto migrations = Snapshot(p / "migrations");
  for (const char* args : {"--check", "big"}) {
    ProcessResult r = p.Run({"diff", args});
    INFO(args << ": " << r.out << r.err);
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("schema/late.sql:3") && Catch::Contains("missing") &&
                          Catch::Contains("must build on an empty database"));
  }
  CHECK(Snapshot(p / "migrations") == migrations);
  fs::remove(p / "schema/late.sql");
  p.Add("create_users.sql", "CREATE TABLE users (id INTEGER);\n");  // not a migration name
  migrations = Snapshot(p / "migrations");
  ProcessResult bad_name = p.Run({"diff", "users"});
  CHECK(bad_name.exit_code == 3);
  CHECK_THAT(bad_name.err, Catch::Contains("create_users.sql: error[bad-name]") &&
                               Catch::Contains("error(s) in the migrations"));
  CHECK(Snapshot(p / "migrations") == migrations);
}

// `migrate build` exits 3 for this file (error[rehearsal]), and a PostgreSQL diff exits 3 for
// its syntax errors (error[syntax], found when loading); a SQLite diff replays it and exits 1.
TEST_CASE("e2e: a SQLite migration with a syntax error makes diff exit 3, as build does", "[e2e]") {
  Project p;
  AddShop(p);
  WriteFile(p / "schema/shop.sql", kShopSchema);
  p.Add("3_broken.up.sql", "CREATE TABLE broken (id INTEGER PRIMARY KEY,;\n");
  p.Add("3_broken.down.sql", "DROP TABLE broken;\n");
  auto migrations = Snapshot(p / "migrations");
  CHECK(p.Run({"build"}).exit_code == 3);
  ProcessResult syntax = p.Run({"diff", "users"});
  INFO(syntax.out << syntax.err);
  CHECK_THAT(syntax.err, Catch::Contains("3_broken.up.sql:1:45") && Catch::Contains("syntax"));
  CHECK(Snapshot(p / "migrations") == migrations);
  CHECK(syntax.exit_code == 3);
}

TEST_CASE("e2e: a column renamed with --rename t.old=new is RENAME COLUMN, not drop and add",
          "[e2e]") {
  Project p;
  AddShop(p);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run"}).exit_code == 0);
  p.Exec("INSERT INTO products VALUES (1, 'tea')");
  std::string renamed = kShopSchema;
  renamed.replace(renamed.find("name TEXT"), 4, "title");
  WriteFile(p / "schema/shop.sql", renamed);
  ProcessResult diff = p.Run({"diff", "title", "--rename", "products.name=title"});
  INFO(diff.out << diff.err);
  REQUIRE(diff.exit_code == 0);
  std::vector<std::string> written = Written(p, "title");
  REQUIRE(written.size() == 2);
  std::string up = MigrationText(p, written[1]), down = MigrationText(p, written[0]);
  CHECK_THAT(up, Catch::Contains("RENAME COLUMN") && Catch::Contains("title"));
  CHECK_THAT(up, !Catch::Contains("DROP COLUMN") && !Catch::Contains("ADD COLUMN"));
  CHECK_THAT(down, Catch::Contains("RENAME COLUMN") && !Catch::Contains("DROP COLUMN"));
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run"}).exit_code == 0);
  CHECK(p.Query("SELECT title FROM products") == std::vector<std::string>{"tea"});  // kept
  CHECK(p.Run({"diff", "--check"}).exit_code == 0);
}

// CLI11 gives --rename every following word: NAME after it is read as a second rename.
TEST_CASE("e2e: diff --rename t.old=new NAME takes NAME as the name", "[e2e]") {
  Project p;
  p.Add("1_t.up.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\n");
  p.Add("1_t.down.sql", "DROP TABLE t;\n");
  WriteFile(p / "schema/t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, b TEXT);\n");
  ProcessResult r = p.Run({"diff", "--rename", "t.a=b", "rename_a"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(Written(p, "rename_a").size() == 2);
}

TEST_CASE("e2e: a diff for PostgreSQL needs a server, also in a project of two dialects", "[e2e]") {
  Project both("dialects = [\"postgres\", \"sqlite\"]\n");
  AddShop(both);
  WriteFile(both / "schema/shop.sql", kShopSchema);
  ProcessResult which = both.Run({"diff", "x"});
  CHECK(which.exit_code == 2);
  CHECK_THAT(which.err, Catch::Contains("a PostgreSQL diff needs a server"));
  Project p;  // target sqlite:test.db, no dev_url
  AddShop(p);
  WriteFile(p / "schema/shop.sql", kShopSchema);
  WriteFile(p / "schema/coupons.sql", kCoupons);
  auto migrations = Snapshot(p / "migrations");
  ProcessResult no_server = p.Run({"diff", "x", "--dialect", "postgres"});
  CHECK(no_server.exit_code == 2);
  CHECK_THAT(no_server.err,
             Catch::Contains("a PostgreSQL diff needs a server") && Catch::Contains("--dev-url"));
  CHECK(Snapshot(p / "migrations") == migrations);
}

namespace {

// Runs `diff --check` (and `diff NAME`, which replays the same way) on `p` with `args` and
// checks that both exit 3 with a message containing each of `parts`.
void ExpectReplayError(const Project& p, const std::vector<std::string>& args,
                       const std::vector<std::string>& parts) {
  auto migrations = Snapshot(p / "migrations");
  for (const char* first : {"--check", "broken"}) {
    std::vector<std::string> all{"diff", first};
    all.insert(all.end(), args.begin(), args.end());
    ProcessResult r = p.Run(all);
    INFO(first << ": " << r.out << r.err);
    CHECK(r.exit_code == 3);
    for (const std::string& part : parts) CHECK_THAT(r.err, Catch::Contains(part));
    CHECK_THAT(r.err, Catch::Contains("fix it: the declared schema must build on an empty"));
  }
  CHECK(Snapshot(p / "migrations") == migrations);
}

// A file that fails at its third line, and an earlier file whose index needs its table: the
// error is at the statement that cannot run in any order, the other one named after it.
void WriteBrokenSchema(const Project& p) {
  WriteFile(p / "schema/a_index.sql", "CREATE INDEX widgets_x ON widgets (x);\n");
  WriteFile(p / "schema/b_tables.sql",
            "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT);\n\n"
            "CREATE TABLE widgets (id INTEGER PRIMARY KEY, x INTEGER,;\n"
            "CREATE TABLE orders (id INTEGER PRIMARY KEY,\n"
            "  product_id INTEGER REFERENCES products (id), qty INTEGER NOT NULL);\n"
            "CREATE INDEX orders_product ON orders (product_id);\n");
}

}  // namespace

TEST_CASE("e2e: a SQLite schema/ statement that fails is reported at its schema/ file:line",
          "[e2e]") {
  Project p;
  AddShop(p);
  WriteBrokenSchema(p);
  ExpectReplayError(p, {},
                    {"schema/b_tables.sql:3:", "statement 2 of 4 failed", "syntax error",
                     "1 more statement(s) did not run: schema/a_index.sql:1:"});
  fs::remove(p / "schema/a_index.sql");
  WriteFile(p / "schema/b_tables.sql", std::string(kShopSchema) + "\nINSERT INTO products\n" +
                                           "  VALUES (1, 'unterminated);\n");
  ExpectReplayError(p, {}, {"schema/b_tables.sql:6:", "error[syntax]", "never ends"});
  // Without a transaction what ran of the file stays: its statements are not run twice.
  WriteFile(p / "schema/b_tables.sql", std::string("-- migrate:no-transaction\n") + kShopSchema +
                                           "CREATE INDEX products_x ON products (nosuch);\n");
  ExpectReplayError(p, {}, {"schema/b_tables.sql:6:", "statement 4 of 4 failed", "nosuch"});
}

TEST_CASE("e2e: a PostgreSQL schema/ statement that fails is reported at its schema/ file:line",
          "[postgres][e2e]") {
  Project p;
  AddShop(p);
  std::vector<std::string> pg{"--dialect", "postgres", "--dev-url", PgAdminUrl()};
  WriteBrokenSchema(p);  // PostgreSQL's grammar finds this one before anything runs
  ExpectReplayError(p, pg, {"schema/b_tables.sql:3:", "error[syntax]", "syntax error"});
  WriteFile(p / "schema/a_index.sql", "CREATE INDEX widgets_x ON widgets (nosuch);\n");
  WriteFile(p / "schema/b_tables.sql",
            std::string(kShopSchema) + "CREATE TABLE widgets (id INTEGER PRIMARY KEY);\n");
  ExpectReplayError(
      p, pg, {"schema/a_index.sql:1:", "statement 1 of 1 failed (SQLSTATE 42703)", "nosuch"});
  fs::remove(p / "schema/a_index.sql");
  WriteFile(p / "schema/b_tables.sql", std::string("-- migrate:no-transaction\n") + kShopSchema +
                                           "\nCREATE INDEX products_x ON products (nosuch);\n");
  ExpectReplayError(p, pg, {"schema/b_tables.sql:7:", "statement 4 of 4 failed", "nosuch"});
}
