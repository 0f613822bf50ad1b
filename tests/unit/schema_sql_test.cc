// RenderChanges on planned changes: what the PostgreSQL renderer refuses to write (an
// aggregate, a foreign table, a column made generated) and how names are quoted. (The SQL of
// every change against a real database is tests/fixtures/diff.)
#include "migrate/schema_sql.h"

#include <catch2/catch.hpp>

#include "registry.h"

using namespace migrate;

namespace {

const Dialect& Postgres() { return *FindDialect("postgres"); }

CatalogColumn Column(const std::string& name, int position) {
  CatalogColumn c;
  c.name = name;
  c.position = position;
  c.type = "integer";
  return c;
}

}  // namespace

TEST_CASE("schema sql: an aggregate, a foreign table and a column made generated are refused",
          "[unit]") {
  Catalog with_aggregate;
  CatalogFunction total;
  total.schema = "public";
  total.name = "total";
  total.kind = "aggregate";
  total.arguments = "integer";
  with_aggregate.functions = {total};
  std::vector<SchemaChange> plan = PlanSchemaChanges(Catalog{}, with_aggregate, {});
  CHECK_THROWS_WITH(
      RenderChanges(plan, Postgres()),
      Catch::Contains("aggregate public.total(integer)") && Catch::Contains("migrate new"));
  Catalog foreign;
  CatalogTable t;
  t.schema = "public";
  t.name = "remote";
  t.kind = "foreign table";
  foreign.tables = {t};
  CHECK_THROWS_WITH(RenderChanges(PlanSchemaChanges(Catalog{}, foreign, {}), Postgres()),
                    Catch::Contains("foreign table public.remote"));
  Catalog plain;
  CatalogTable g;
  g.schema = "public";
  g.name = "g";
  g.kind = "table";
  g.columns = {Column("a", 1), Column("b", 2)};
  plain.tables = {g};
  Catalog generated = plain;
  generated.tables[0].columns[1].generated = "(a * 2)";
  CHECK_THROWS_WITH(RenderChanges(PlanSchemaChanges(plain, generated, {}), Postgres()),
                    Catch::Contains("column public.g.b becomes a generated column"));
}

TEST_CASE("schema sql: reserved words and mixed case are quoted, plain names are not", "[unit]") {
  Catalog c;
  CatalogTable t;
  t.schema = "public";
  t.name = "Order Items";
  t.kind = "table";
  t.columns = {Column("order", 1), Column("qty", 2)};
  c.tables = {t};
  std::string sql = RenderChanges(PlanSchemaChanges(Catalog{}, c, {}), Postgres());
  CHECK_THAT(sql, Catch::Contains("CREATE TABLE public.\"Order Items\" (") &&
                      Catch::Contains("  \"order\" integer,") && Catch::Contains("  qty integer"));
}
