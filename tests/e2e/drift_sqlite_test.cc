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
  SQLite::Database db((p / "test.db").string(), SQLite::OPEN_READWRITE);
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
    auto d =
        migrate::sqlite::OpenSqlite({(dir / name).string(), {}, false, std::chrono::seconds(5)});
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
