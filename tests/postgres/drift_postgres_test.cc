// Live schema drift on the real PostgreSQL server, through the real binary; and the
// determinism of the canonical catalog text.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>

#include "e2e/project.h"
#include "migrate/catalog.h"
#include "postgres/postgres_driver.h"
#include "support/pg.h"

using namespace migrate::testing;

namespace {

constexpr const char* kBase =
    "CREATE TABLE parent (id int PRIMARY KEY);\n"
    "CREATE TABLE child (id int PRIMARY KEY,\n"
    "  parent_id int CONSTRAINT child_parent_fk REFERENCES parent (id),\n"
    "  amount int NOT NULL DEFAULT 0);\n"
    "CREATE INDEX child_parent ON child (parent_id);\n"
    "CREATE VIEW totals AS SELECT parent_id, sum(amount) AS total FROM child GROUP BY parent_id;\n"
    "CREATE FUNCTION double_it(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x * 2';\n";

constexpr const char* kHandChanges =
    "ALTER TABLE child ADD COLUMN hotfix text;\n"
    "DROP INDEX child_parent;\n"
    "DROP VIEW totals;\n"
    "ALTER TABLE child ALTER COLUMN amount TYPE bigint;\n"
    "ALTER TABLE child ALTER COLUMN amount SET DEFAULT 1;\n"
    "CREATE VIEW totals AS SELECT parent_id, sum(amount) AS total FROM child\n"
    "  WHERE amount > 0 GROUP BY parent_id;\n"
    "CREATE OR REPLACE FUNCTION double_it(x int) RETURNS int LANGUAGE sql IMMUTABLE\n"
    "  AS 'SELECT x + x';\n"
    "ALTER TABLE child DROP CONSTRAINT child_parent_fk, ADD CONSTRAINT child_parent_fk\n"
    "  FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE;\n";
constexpr const char* kUndo =
    "ALTER TABLE child DROP COLUMN hotfix;\n"
    "CREATE INDEX child_parent ON child (parent_id);\n"
    "DROP VIEW totals;\n"
    "ALTER TABLE child ALTER COLUMN amount TYPE int;\n"
    "ALTER TABLE child ALTER COLUMN amount SET DEFAULT 0;\n"
    "CREATE VIEW totals AS SELECT parent_id, sum(amount) AS total FROM child GROUP BY parent_id;\n"
    "CREATE OR REPLACE FUNCTION double_it(x int) RETURNS int LANGUAGE sql IMMUTABLE\n"
    "  AS 'SELECT x * 2';\n"
    "ALTER TABLE child DROP CONSTRAINT child_parent_fk, ADD CONSTRAINT child_parent_fk\n"
    "  FOREIGN KEY (parent_id) REFERENCES parent (id);\n";

const std::vector<std::string> kNamed = {
    "+ column public.child.hotfix",
    "- index public.child.child_parent",
    "~ column public.child.amount: type integer -> bigint; default 0 -> 1",
    "~ view public.totals: definition",
    "~ function public.double_it(x integer): body",
    "~ constraint public.child.child_parent_fk: on_delete (none) -> cascade",
};

std::string Canonical(const std::string& url) {
  auto d = migrate::postgres::OpenPostgres({url, {}});
  return migrate::RenderCanonical(migrate::Describe(d->ReadCatalog()));
}

}  // namespace

TEST_CASE("postgres: drift names each hand change, stops run, warns, and clears",
          "[postgres][e2e]") {
  PgDatabase db;
  Project p(
      "dialects = [\"postgres\"]\ndefault_env = \"strict\"\n"
      "[environments.strict]\nurl = \"${TARGET}\"\n"
      "[environments.lenient]\nurl = \"${TARGET}\"\nschema_drift = \"warn\"\n");
  std::map<std::string, std::string> env{{"TARGET", db.url()}};
  p.Add("1_base.up.sql", kBase);
  p.Add("1_base.down.sql",
        "DROP VIEW totals; DROP TABLE child, parent; DROP FUNCTION double_it;\n");
  p.Add("2_extra.up.sql", "CREATE TABLE extra (id int);\n");
  p.Add("2_extra.down.sql", "DROP TABLE extra;\n");
  REQUIRE(p.Run({"build"}, env).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "1"}, env).exit_code == 0);
  CHECK(p.Run({"drift"}, env).exit_code == 0);

  db.Query(kHandChanges);
  ProcessResult drift = p.Run({"drift"}, env);
  CHECK(drift.exit_code == 4);
  for (const std::string& line : kNamed) CHECK_THAT(drift.out, Catch::Contains(line));
  ProcessResult json = p.Run({"--json", "drift"}, env);
  CHECK(json.exit_code == 4);
  std::set<std::string> names;
  nlohmann::json doc = nlohmann::json::parse(json.out);
  for (const auto& c : doc["changes"]) {
    names.insert(c["change"].get<std::string>() + " " + c["kind"].get<std::string>() + " " +
                 c["name"].get<std::string>());
  }
  CHECK(names == std::set<std::string>{
                     "added column public.child.hotfix", "removed index public.child.child_parent",
                     "changed column public.child.amount", "changed view public.totals",
                     "changed function public.double_it(x integer)",
                     "changed constraint public.child.child_parent_fk"});

  ProcessResult run = p.Run({"run"}, env);
  CHECK(run.exit_code == 4);
  CHECK_THAT(run.err, Catch::Contains("nothing was run"));
  CHECK(db.Query("SELECT to_regclass('extra')::text") == std::vector<std::string>{""});

  db.Query(kUndo);
  CHECK(p.Run({"drift"}, env).exit_code == 0);

  db.Query(kHandChanges);
  ProcessResult lenient = p.Run({"--env", "lenient", "run"}, env);
  CHECK(lenient.exit_code == 0);
  CHECK_THAT(lenient.err,
             Catch::Contains("warning:") && Catch::Contains("+ column public.child.hotfix"));
  CHECK(db.Query("SELECT to_regclass('extra')::text") == std::vector<std::string>{"extra"});
  CHECK(p.Run({"drift"}, env).exit_code == 0);
}

TEST_CASE("postgres: the same schema built in another order has the same canonical text",
          "[postgres]") {
  PgDatabase one, other;
  one.Query(kBase);
  // Objects in another order, dropped and made again (new OIDs), a column added later, a
  // constraint added by ALTER, a search_path that would shorten names if it were used.
  other.Query(
      "CREATE FUNCTION double_it(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 0';\n"
      "CREATE TABLE parent (id int PRIMARY KEY);\n"
      "CREATE TABLE child (id int PRIMARY KEY, parent_id int);\n"
      "ALTER TABLE child ADD COLUMN amount int NOT NULL DEFAULT 0;\n"
      "ALTER TABLE child ADD CONSTRAINT child_parent_fk FOREIGN KEY (parent_id)\n"
      "  REFERENCES parent (id);\n"
      "CREATE VIEW totals AS SELECT 1 AS x;\nDROP VIEW totals;\n"
      "CREATE INDEX child_parent ON child (parent_id);\n"
      "CREATE VIEW totals AS SELECT parent_id, sum(amount) AS total FROM child GROUP BY "
      "parent_id;\n"
      "DROP FUNCTION double_it;\n"
      "CREATE FUNCTION double_it(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x * 2';\n");
  std::string text = Canonical(one.url());
  CHECK(text == Canonical(other.url()));
  CHECK(text == Canonical(other.url() + "?options=-csearch_path%3Dpg_catalog"));
  CHECK_THAT(text,
             Catch::Contains("index public.child.child_parent method=btree keys=(parent_id)"));
}
