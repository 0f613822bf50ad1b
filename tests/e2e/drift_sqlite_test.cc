// Live schema drift on real SQLite files, through the real binary: hand-made changes are
// named by `drift` (text and JSON), stop `run` before anything applies, are only warned about
// with schema_drift = "warn", and are gone once reverted. Also: the canonical text of a schema
// does not depend on the order it was built in.
#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>

#include "e2e/project.h"
#include "migrate/catalog.h"
#include "sqlite/sqlite_driver.h"

using namespace migrate::testing;

namespace {

constexpr const char* kBase =
    "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n"
    "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id),\n"
    "  amount INTEGER DEFAULT 0);\n"
    "CREATE INDEX child_parent ON child (parent_id);\n"
    "CREATE VIEW totals AS SELECT parent_id, sum(amount) AS total FROM child GROUP BY parent_id;\n"
    "CREATE TABLE accounts (id INTEGER PRIMARY KEY,\n"
    "  parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE, balance INTEGER DEFAULT 0);\n";

// The hand changes of an incident, and their exact undoing.
constexpr const char* kHandChanges =
    "ALTER TABLE child ADD COLUMN hotfix TEXT;\n"
    "DROP INDEX child_parent;\n"
    "DROP VIEW totals;\n"
    "CREATE VIEW totals AS SELECT parent_id, count(*) AS total FROM child GROUP BY parent_id;\n"
    "CREATE TRIGGER child_audit AFTER INSERT ON child BEGIN SELECT 1; END;\n"
    // Type, default and ON DELETE of accounts: SQLite's table rebuild.
    "CREATE TABLE accounts_new (id INTEGER PRIMARY KEY,\n"
    "  parent_id INTEGER REFERENCES parent (id) ON DELETE SET NULL, balance TEXT DEFAULT 1);\n"
    "INSERT INTO accounts_new SELECT * FROM accounts; DROP TABLE accounts;\n"
    "ALTER TABLE accounts_new RENAME TO accounts;\n";
constexpr const char* kUndo =
    "ALTER TABLE child DROP COLUMN hotfix;\n"
    "CREATE INDEX child_parent ON child (parent_id);\n"
    "DROP VIEW totals;\n"
    "CREATE VIEW totals AS SELECT parent_id, sum(amount) AS total FROM child GROUP BY parent_id;\n"
    "DROP TRIGGER child_audit;\n"
    "CREATE TABLE accounts_old (id INTEGER PRIMARY KEY,\n"
    "  parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE, balance INTEGER DEFAULT 0);\n"
    "INSERT INTO accounts_old SELECT * FROM accounts; DROP TABLE accounts;\n"
    "ALTER TABLE accounts_old RENAME TO accounts;\n";

void Exec(const Project& p, const std::string& sql) {
  SQLite::Database db((p / "test.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec(sql);
}

const std::vector<std::string> kNamed = {
    "+ column child.hotfix",
    "- index child.child_parent",
    "~ view totals: definition",
    "+ trigger child.child_audit",
    "~ column accounts.balance: type INTEGER -> TEXT; default 0 -> 1",
    "~ constraint accounts.accounts_parent_id_fkey: on_delete cascade -> set null",
};

}  // namespace

TEST_CASE("e2e: drift on SQLite names each hand change, stops run, warns, and clears", "[e2e]") {
  Project p(
      "default_env = \"local\"\n[environments.lenient]\nurl = \"sqlite:test.db\"\n"
      "schema_drift = \"warn\"\n");
  p.Add("1_base.up.sql", kBase);
  p.Add("1_base.down.sql",
        "DROP VIEW totals; DROP TABLE accounts; DROP TABLE child;\n"
        "DROP TABLE parent;\n");
  p.Add("2_extra.up.sql", "CREATE TABLE extra (id INTEGER);\n");
  p.Add("2_extra.down.sql", "DROP TABLE extra;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "1"}).exit_code == 0);
  CHECK(p.Run({"drift"}).exit_code == 0);

  Exec(p, kHandChanges);
  ProcessResult drift = p.Run({"drift"});
  CHECK(drift.exit_code == 4);
  for (const std::string& line : kNamed) CHECK_THAT(drift.out, Catch::Contains(line));
  ProcessResult json = p.Run({"--json", "drift"});
  CHECK(json.exit_code == 4);
  nlohmann::json doc = nlohmann::json::parse(json.out);
  CHECK(doc["drift"] == true);
  std::set<std::string> names;
  for (const auto& c : doc["changes"])
    names.insert(c["kind"].get<std::string>() + " " + c["name"].get<std::string>());
  CHECK(names == std::set<std::string>{"column child.hotfix", "index child.child_parent",
                                       "view totals", "trigger child.child_audit",
                                       "column accounts.balance",
                                       "constraint accounts.accounts_parent_id_fkey"});

  ProcessResult dry = p.Run({"run", "--dry-run"});  // predicts the run's refusal
  CHECK(dry.exit_code == 4);
  CHECK_THAT(dry.err, Catch::Contains("+ column child.hotfix"));
  ProcessResult run = p.Run({"run"});
  CHECK(run.exit_code == 4);
  CHECK_THAT(run.err,
             Catch::Contains("+ column child.hotfix") && Catch::Contains("nothing was run"));
  CHECK(p.Tables() == std::vector<std::string>{"accounts", "child", "parent"});

  Exec(p, kUndo);
  CHECK(p.Run({"drift"}).exit_code == 0);

  Exec(p, kHandChanges);
  ProcessResult lenient = p.Run({"--env", "lenient", "run"});
  CHECK(lenient.exit_code == 0);
  CHECK_THAT(lenient.err, Catch::Contains("warning:") && Catch::Contains("+ column child.hotfix"));
  CHECK(p.Tables() == std::vector<std::string>{"accounts", "child", "extra", "parent"});
  CHECK(p.Run({"drift"}).exit_code == 0);  // the run recorded what it left
}

TEST_CASE("e2e: the same SQLite schema built in another order has the same canonical text",
          "[e2e][sqlite]") {
  TempDir dir;
  auto text = [&](const std::string& name, const std::string& sql) {
    SQLite::Database db((dir / name).string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(sql);
    auto d = migrate::sqlite::OpenSqlite(
        {(dir / name).string(), {}, false, std::chrono::seconds(5), false, false});
    return migrate::RenderCanonical(migrate::Describe(d->ReadCatalog()));
  };
  std::string one = text("one.db", kBase);
  std::string other = text(
      "other.db",
      // Tables in another order, a column added later, an index and a view dropped and made
      // again, a unique key written as a table constraint instead of a column one.
      "CREATE TABLE accounts (id INTEGER PRIMARY KEY,\n"
      "  parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE, balance integer default 0);\n"
      "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));\n"
      "ALTER TABLE child ADD COLUMN amount INTEGER DEFAULT 0;\n"
      "CREATE INDEX child_parent ON child (parent_id);\n"
      "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n"
      "CREATE VIEW totals AS SELECT 1;\nDROP VIEW totals;\n"
      "CREATE VIEW totals AS SELECT parent_id, sum(amount) AS total FROM child\n"
      "  GROUP BY parent_id;\n");
  CHECK(one == other);
  CHECK_THAT(one, Catch::Contains("index child.child_parent keys=(parent_id)"));
}

TEST_CASE("e2e: repair --accept and --allow-out-of-order take a reviewed change, with audit rows",
          "[e2e]") {
  Project p(
      "default_env = \"local\"\n[environments.relaxed]\nurl = \"sqlite:test.db\"\n"
      "out_of_order = \"allow\"\n");
  for (const char* t : {"1_a", "3_c"}) {
    std::string table = std::string(t).substr(2);
    p.Add(std::string(t) + ".up.sql", "CREATE TABLE " + table + " (id INTEGER PRIMARY KEY);\n");
    p.Add(std::string(t) + ".down.sql", "DROP TABLE " + table + ";\n");
  }
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run"}).exit_code == 0);

  // An applied file edited on purpose (a reviewed fix to a comment and a default).
  p.Add("1_a.up.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY, n INTEGER DEFAULT 1);\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  CHECK(p.Run({"run"}).exit_code == 4);
  ProcessResult accept = p.Run({"repair", "1", "--accept"});
  CHECK(accept.exit_code == 0);
  CHECK(p.Run({"run"}).exit_code == 0);
  std::vector<std::string> audit =
      p.Query("SELECT detail || ' by ' || actor FROM migrate_log WHERE event = 'accept'");
  REQUIRE(audit.size() == 1);
  CHECK_THAT(audit[0],
             Catch::Contains("checksum ") && Catch::Contains(" -> ") && Catch::Contains(" by "));
  CHECK(p.Run({"repair", "1", "--accept"}).exit_code == 2);  // nothing left to accept
  ProcessResult both = p.Run({"repair", "1", "--accept", "--forget"});
  CHECK(both.exit_code == 2);
  CHECK_THAT(both.err, Catch::Contains("excludes"));

  // A migration older than the newest applied one, merged late.
  p.Add("2_b.up.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY);\n");
  p.Add("2_b.down.sql", "DROP TABLE b;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult refused = p.Run({"run"});
  CHECK(refused.exit_code == 4);
  CHECK_THAT(refused.err, Catch::Contains("older than the newest applied"));
  ProcessResult allowed = p.Run({"run", "--allow-out-of-order"});
  CHECK(allowed.exit_code == 0);
  CHECK_THAT(allowed.out, Catch::Contains("applied  2  b"));
  CHECK_THAT(allowed.err, Catch::Contains("note: applied out of order, as allowed"));
  CHECK(p.Query("SELECT detail FROM migrate_log WHERE event = 'up' AND version = '2'") ==
        std::vector<std::string>{
            "applied out of order, as allowed: 2_b is pending but older than the newest applied "
            "3_c"});

  p.Add("0_z.up.sql", "CREATE TABLE z (id INTEGER PRIMARY KEY);\n");  // and by configuration
  p.Add("0_z.down.sql", "DROP TABLE z;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  CHECK(p.Run({"run"}).exit_code == 4);
  CHECK(p.Run({"--env", "relaxed", "run"}).exit_code == 0);
  CHECK(p.Tables() == std::vector<std::string>{"a", "b", "c", "z"});
}

TEST_CASE("e2e: drift without a snapshot to compare with says how to get one", "[e2e]") {
  Project p;
  p.Add("1_a.up.sql", "CREATE TABLE a (id INTEGER);\n");
  p.Add("1_a.down.sql", "DROP TABLE a;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  Exec(p, "CREATE TABLE by_hand (id INTEGER);");
  ProcessResult none = p.Run({"drift"});
  CHECK(none.exit_code == 2);
  CHECK_THAT(none.err, Catch::Contains("no schema snapshot yet") &&
                           Catch::Contains("migrate drift --accept"));
  REQUIRE(p.Run({"run"}).exit_code == 0);
  Exec(p, "UPDATE migrate_schema SET format = 0");  // as an older migrate would have left it
  ProcessResult other = p.Run({"drift"});
  CHECK(other.exit_code == 2);
  CHECK_THAT(other.err, Catch::Contains("another version of migrate"));
  ProcessResult accept = p.Run({"drift", "--accept"});
  CHECK(accept.exit_code == 0);
  CHECK(p.Run({"drift"}).exit_code == 0);
  CHECK(p.Query("SELECT count(*) FROM migrate_log WHERE event = 'accept'") ==
        std::vector<std::string>{"1"});
}

TEST_CASE("e2e: the SQLite catalog names virtual tables, collations, AUTOINCREMENT, twin keys",
          "[e2e][sqlite]") {
  TempDir dir;
  std::string path = (dir / "c.db").string();
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(
        "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT COLLATE NOCASE);\n"
        "CREATE TABLE b (id INTEGER PRIMARY KEY);\n"
        // Two unnamed foreign keys of one column: one made-up name each.
        "CREATE TABLE c (x INTEGER REFERENCES a (id), FOREIGN KEY (x) REFERENCES b (id));\n"
        "CREATE VIRTUAL TABLE notes USING fts5(body, title);\n");
  }
  auto d = migrate::sqlite::OpenSqlite({path, {}, false, std::chrono::seconds(5), false, false});
  std::string text = migrate::RenderCanonical(migrate::Describe(d->ReadCatalog()));
  CHECK_THAT(text, Catch::Contains("column a.id position=1 type=INTEGER autoincrement"));
  CHECK_THAT(text, Catch::Contains("column a.name position=2 type=TEXT collation=NOCASE"));
  CHECK_THAT(text, Catch::Contains("constraint c.c_x_fkey type=\"foreign key\" columns=(x) "
                                   "references=a(id)"));
  CHECK_THAT(text, Catch::Contains("constraint c.c_x_fkey1 type=\"foreign key\" columns=(x) "
                                   "references=b(id)"));
  CHECK_THAT(text, Catch::Contains("table notes virtual=\"fts5(body, title)\""));
  CHECK_THAT(text, !Catch::Contains("notes_data") && !Catch::Contains("notes_config"));
}
