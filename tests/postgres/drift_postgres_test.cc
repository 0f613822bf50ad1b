// Live schema drift on the real PostgreSQL server, through the real binary; and the
// determinism of the canonical catalog text.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>

#include "e2e/project.h"
#include "migrate/catalog.h"
#include "migrate/catalog_diff.h"
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

namespace {

// The diff one hand-made `change` makes to a database built by `base`.
std::string DiffAfter(const std::string& base, const std::string& change) {
  PgDatabase db;
  db.Query(base);
  auto before = migrate::Describe(migrate::postgres::OpenPostgres({db.url(), {}})->ReadCatalog());
  db.Query(change);
  auto after = migrate::Describe(migrate::postgres::OpenPostgres({db.url(), {}})->ReadCatalog());
  return migrate::RenderDiff(migrate::DiffCatalogs(before, after));
}

}  // namespace

TEST_CASE("postgres: drift sees security, storage, replication and function settings",
          "[postgres]") {
  const std::string base =
      "CREATE TABLE doc (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, owner text,"
      "  body text);\n"
      "CREATE TABLE base (a int);\nCREATE TABLE child () INHERITS (base);\n"
      "CREATE MATERIALIZED VIEW counts AS SELECT count(*) AS n FROM doc;\n"
      "CREATE VIEW mine AS SELECT * FROM doc;\n"
      "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\n"
      "CREATE TRIGGER doc_touch BEFORE UPDATE ON doc FOR EACH ROW EXECUTE FUNCTION touch();\n"
      "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'SELECT x';\n"
      "CREATE TYPE span AS RANGE (subtype = int4);\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"ALTER TABLE doc ENABLE ROW LEVEL SECURITY",
       "~ table public.doc: row_security (none) -> enabled\n"},
      {"CREATE POLICY own ON doc USING (owner = current_user)",
       "+ policy public.doc.own command=all roles=public using=(owner = CURRENT_USER)\n"},
      {"ALTER TABLE doc SET (fillfactor = 70)",
       "~ table public.doc: options (none) -> fillfactor=70\n"},
      {"ALTER TABLE doc REPLICA IDENTITY FULL",
       "~ table public.doc: replica_identity (none) -> full\n"},
      {"ALTER TABLE child NO INHERIT base",
       // Its inherited column becomes its own.
       "~ table public.child: inherits (public.base) -> (none)\n"
       "+ column public.child.a position=1 type=integer\n"},
      {"ALTER VIEW mine SET (security_invoker = true)",
       "~ view public.mine: options (none) -> security_invoker=true\n"},
      {"ALTER TABLE doc DISABLE TRIGGER doc_touch",
       "~ trigger public.doc.doc_touch: fires (none) -> disabled\n"},
      {"ALTER TABLE doc ENABLE ALWAYS TRIGGER doc_touch",
       "~ trigger public.doc.doc_touch: fires (none) -> always\n"},
      {"ALTER FUNCTION f(int) PARALLEL SAFE COST 5",
       "~ function public.f(x integer): parallel (none) -> safe; cost (none) -> 5\n"},
      {"ALTER TABLE doc ALTER COLUMN id SET INCREMENT BY 2",
       "~ column public.doc.id: identity_options start=1 increment=1 min=1 max=2147483647 "
       "cache=1 -> start=1 increment=2 min=1 max=2147483647 cache=1\n"},
      {"DROP TYPE span", "- type public.span\n"},
      {"CREATE INDEX \"by USING x\" ON doc (owner)",
       "+ index public.doc.\"by USING x\" method=btree keys=(owner)\n"},
  };
  for (const auto& [change, expected] : cases) {
    INFO(change);
    CHECK(DiffAfter(base, change) == expected);
  }
  PgDatabase db;
  db.Query(base + "CREATE MATERIALIZED VIEW later AS SELECT 1 AS x WITH NO DATA;");
  std::string text = Canonical(db.url());
  CHECK_THAT(text, Catch::Contains("materialized_view public.later definition=\"SELECT 1 AS x;\" "
                                   "not_populated"));
  CHECK_THAT(text, Catch::Contains("type public.span kind=range base_type=integer"));
  CHECK_THAT(text, !Catch::Contains("function public.span("));  // its constructors come with it
}

TEST_CASE("postgres: the catalog reads alike whatever the session's display settings",
          "[postgres]") {
  PgDatabase db;
  db.Query(
      "CREATE TABLE ev (at timestamptz DEFAULT '2024-01-02 03:04:05+00', d date DEFAULT "
      "'2024-01-02', span interval DEFAULT '1 day 2 hours', ratio float8 DEFAULT 0.1);\n"
      "CREATE VIEW recent AS SELECT * FROM ev WHERE at > '2024-01-01 00:00:00+00';");
  std::string text = Canonical(db.url());
  CHECK(text ==
        Canonical(db.url() + "?options=-cTimeZone%3DAsia/Tokyo%20-cDateStyle%3DGerman%"
                             "20-cIntervalStyle%3Dsql_standard%20-cextra_float_digits%3D-3"));
}

TEST_CASE("postgres: a schema configured for migrate's tables is not part of the catalog",
          "[postgres]") {
  PgDatabase db;
  db.Query("CREATE SCHEMA ops; CREATE TABLE ops.keep (x int);");
  migrate::TableNames ops;
  ops.history = migrate::QualifiedName("ops.history");
  ops.lock = migrate::QualifiedName("ops.lock");
  ops.log = migrate::QualifiedName("ops.log");
  ops.schema = migrate::QualifiedName("ops.schema");
  auto d = migrate::postgres::OpenPostgres({db.url(), ops});
  d->EnsureMetadata();
  std::string text = migrate::RenderCanonical(migrate::Describe(d->ReadCatalog()));
  CHECK_THAT(text, !Catch::Contains("schema ops") && !Catch::Contains("ops.history"));
  CHECK_THAT(text, Catch::Contains("table ops.keep"));  // the user's table in it is read
}
