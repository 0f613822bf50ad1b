// The catalog model without a database: canonical text, its parse, order independence and
// the structural diff.
#include "migrate/catalog.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "migrate/catalog_diff.h"
#include "migrate/error.h"

using namespace migrate;

namespace {

CatalogColumn Column(const std::string& name, int position, const std::string& type) {
  CatalogColumn c;
  c.name = name;
  c.position = position;
  c.type = type;
  return c;
}

CatalogTable Orders() {
  CatalogTable t;
  t.schema = "public";
  t.name = "orders";
  t.kind = "table";
  t.columns = {Column("id", 1, "bigint"), Column("total", 2, "integer")};
  t.columns[0].not_null = true;
  CatalogConstraint pk;
  pk.name = "orders_pkey";
  pk.type = "primary key";
  pk.definition = "PRIMARY KEY (id)";
  CatalogConstraint fk;
  fk.name = "orders_customer_fk";
  fk.type = "foreign key";
  fk.columns = {"customer_id"};
  fk.references = "public.customers";
  fk.ref_columns = {"id"};
  t.constraints = {pk, fk};
  CatalogIndex total;
  total.name = "orders_total";
  total.method = "btree";
  total.keys = "(total)";
  CatalogIndex other;
  other.name = "orders_a";
  other.keys = "(id)";
  t.indexes = {total, other};
  return t;
}

Catalog Shop() {
  Catalog c;
  c.schemas = {{"public", ""}};
  CatalogTable customers;
  customers.schema = "public";
  customers.name = "customers";
  customers.kind = "table";
  customers.columns = {Column("id", 1, "bigint")};
  c.tables = {Orders(), customers};
  c.views = {{"public", "big_orders", false, "SELECT id FROM public.orders", "", true, "", {}, {}}};
  return c;
}

}  // namespace

TEST_CASE("the canonical text does not depend on the order objects come in", "[unit]") {
  Catalog a = Shop();
  Catalog b = Shop();
  std::reverse(b.tables.begin(), b.tables.end());
  std::reverse(b.tables[1].columns.begin(), b.tables[1].columns.end());
  std::reverse(b.tables[1].constraints.begin(), b.tables[1].constraints.end());
  std::reverse(b.tables[1].indexes.begin(), b.tables[1].indexes.end());
  std::string text = RenderCanonical(Describe(a));
  CHECK(text == RenderCanonical(Describe(b)));
  // A table is followed by its columns in position order, then constraints and indexes by name.
  CHECK(
      text ==
      "schema public\n"
      "table public.customers\n"
      "column public.customers.id position=1 type=bigint\n"
      "table public.orders\n"
      "column public.orders.id position=1 type=bigint not_null=true\n"
      "column public.orders.total position=2 type=integer\n"
      "constraint public.orders.orders_customer_fk type=\"foreign key\" columns=(customer_id) "
      "references=public.customers(id)\n"
      "constraint public.orders.orders_pkey type=\"primary key\" definition=\"PRIMARY KEY (id)\"\n"
      "index public.orders.orders_a keys=(id)\n"
      "index public.orders.orders_total method=btree keys=(total)\n"
      "view public.big_orders definition=\"SELECT id FROM public.orders\"\n");
}

TEST_CASE("canonical text parses back into the same objects, odd names and values included",
          "[unit]") {
  Catalog c = Shop();
  c.tables[0].name = "Order Items";
  c.tables[0].comment = "line one\nline \"two\" \\ three ünïcode";
  c.tables[0].columns[1].default_value = "'a b'::text";
  std::vector<CatalogObject> objects = Describe(c);
  CHECK(objects[1].name == "public.\"Order Items\"");  // sorts first: "O" < "c"
  std::string text = RenderCanonical(objects);
  CHECK(ParseCanonical(text) == objects);
  CHECK(RenderCanonical(ParseCanonical(text)) == text);
}

TEST_CASE("canonical text keeps control bytes and text in a non-UTF-8 encoding byte for byte",
          "[unit]") {
  Catalog c = Shop();
  c.tables[0].comment = "tab\there\x01 \x7f end";
  c.tables[0].columns[1].default_value = "'caf\xe9'::text";  // LATIN1, not UTF-8
  std::vector<CatalogObject> objects = Describe(c);
  std::string text = RenderCanonical(objects);
  CHECK_THAT(text, Catch::Contains("\"tab\\there\\x01 \\x7f end\"") &&
                       Catch::Contains("\"'caf\\xe9'::text\""));
  CHECK(ParseCanonical(text) == objects);
  CHECK_NOTHROW(RenderCatalogJson(objects));  // shown with U+FFFD, not refused
  for (const char* bad : {"table public.t a=\"\\q\"\n", "table public.t a=\"\\x4\"\n"}) {
    CHECK_THROWS_AS(ParseCanonical(bad), Error);
  }
}

TEST_CASE("a stored snapshot that is not canonical text is refused with its line", "[unit]") {
  for (const char* bad : {"table public.t\ncolumn\n", "table public.t x\n",
                          "table public.t a=\"unterminated\n", "table public.t =v\n"}) {
    try {
      ParseCanonical(bad);
      FAIL("expected a refusal for: " << bad);
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::kDrift);
      CHECK_THAT(e.what(), Catch::Contains("not canonical text at line"));
    }
  }
}

TEST_CASE("the diff names what was added, removed and changed, folding a dropped table", "[unit]") {
  Catalog before = Shop();
  Catalog after = Shop();
  after.tables[0].columns.push_back(Column("hotfix", 3, "text"));
  after.tables[0].indexes[0].keys = "(total, id)";
  after.tables[0].constraints.pop_back();            // the foreign key
  after.tables[0].constraints[0].definition += " ";  // make sure changed attributes show
  after.tables.pop_back();                           // customers, with its column
  std::vector<CatalogChange> changes = DiffCatalogs(Describe(before), Describe(after));
  std::string text = RenderDiff(changes);
  CHECK(text ==
        "- table public.customers (with 1 column)\n"
        "+ column public.orders.hotfix position=3 type=text\n"
        "- constraint public.orders.orders_customer_fk\n"
        "~ constraint public.orders.orders_pkey: definition PRIMARY KEY (id) -> PRIMARY KEY (id) \n"
        "~ index public.orders.orders_total: keys (total) -> (total, id)\n");
  nlohmann::json json = nlohmann::json::parse(RenderDiffJson(changes));
  REQUIRE(json.size() == 5);
  CHECK(json[0]["change"] == "removed");
  CHECK(json[0]["folded"]["column"] == 1);
  CHECK(json[4]["changes"]["keys"]["from"] == "(total)");
  CHECK(json[4]["changes"]["keys"]["to"] == "(total, id)");
  CHECK(DiffCatalogs(Describe(before), Describe(Shop())).empty());
}

TEST_CASE("a dropped column moves the later ones without naming them, a reorder names them",
          "[unit]") {
  Catalog before = Shop();
  before.tables[0].columns.push_back(Column("note", 3, "text"));
  Catalog dropped = before;
  dropped.tables[0].columns.erase(dropped.tables[0].columns.begin() + 1);  // total
  dropped.tables[0].columns[1].position = 2;                               // note: 3 -> 2
  CHECK(RenderDiff(DiffCatalogs(Describe(before), Describe(dropped))) ==
        "- column public.orders.total\n");
  Catalog swapped = before;
  swapped.tables[0].columns[1].position = 3;  // total after note
  swapped.tables[0].columns[2].position = 2;
  CHECK(RenderDiff(DiffCatalogs(Describe(before), Describe(swapped))) ==
        "~ column public.orders.note: position 3 -> 2\n"
        "~ column public.orders.total: position 2 -> 3\n");
}

TEST_CASE("a dropped table folds its parts, not those of a table whose name it begins", "[unit]") {
  Catalog before = Shop();
  before.tables[0].name = "Orders";
  CatalogTable twin = before.tables[0];
  // public."Orders""x" begins with public."Orders" and sorts between it and its parts.
  twin.name = "Orders\"x";
  before.tables.push_back(twin);
  Catalog after = before;
  after.tables.erase(after.tables.begin());  // Orders
  CHECK(RenderDiff(DiffCatalogs(Describe(before), Describe(after))) ==
        "- table public.\"Orders\" (with 2 columns, 2 constraints, 2 indexes)\n");
  std::string long_value = "line one\nline\ttwo";
  Catalog viewed = before;
  viewed.views.push_back({"public", "v", false, long_value, "", true, "", {}, {}});
  CHECK(RenderDiff(DiffCatalogs(Describe(before), Describe(viewed))) ==
        "+ view public.v definition=\"line one\\nline\\ttwo\"\n");
}
