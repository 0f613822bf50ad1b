// PlanSchemaChanges on catalogs written by hand: the order of the changes, renames, enum
// values, and which changes are called destructive. (What the changes do to a real database
// is tests/fixtures/diff and tests/e2e/diff_*.)
#include <catch2/catch.hpp>

#include "migrate/error.h"
#include "migrate/schema_change.h"

using namespace migrate;
using Kind = SchemaChange::Kind;

namespace {

CatalogColumn Column(const std::string& name, const std::string& type, int position) {
  CatalogColumn c;
  c.name = name;
  c.type = type;
  c.position = position;
  return c;
}

CatalogTable Table(const std::string& name, std::vector<CatalogColumn> columns) {
  CatalogTable t;
  t.schema = "public";
  t.name = name;
  t.kind = "table";
  t.columns = std::move(columns);
  return t;
}

CatalogConstraint ForeignKey(const std::string& name, const std::string& column,
                             const std::string& parent) {
  CatalogConstraint c;
  c.name = name;
  c.type = "foreign key";
  c.columns = {column};
  c.references = "public." + parent;
  c.ref_columns = {"id"};
  return c;
}

CatalogView View(const std::string& name, const std::string& definition) {
  CatalogView v;
  v.schema = "public";
  v.name = name;
  v.definition = definition;
  return v;
}

// "kind owner" of each change, in order.
std::vector<std::string> Steps(const std::vector<SchemaChange>& changes) {
  std::vector<std::string> out;
  for (const SchemaChange& c : changes) {
    std::string what = c.kind == Kind::kDropTable        ? "drop table"
                       : c.kind == Kind::kDropConstraint ? "drop constraint"
                       : c.kind == Kind::kDropView       ? "drop view"
                       : c.kind == Kind::kCreateView     ? "create view"
                       : c.kind == Kind::kAlterColumn    ? "alter column"
                       : c.kind == Kind::kRenameTable    ? "rename table"
                       : c.kind == Kind::kRenameColumn   ? "rename column"
                       : c.kind == Kind::kAddEnumValue   ? "add value"
                       : c.kind == Kind::kRenameType     ? "rename type"
                       : c.kind == Kind::kCreateType     ? "create type"
                       : c.kind == Kind::kDropType       ? "drop type"
                                                         : "other";
    out.push_back(what + " " + c.owner);
  }
  return out;
}

}  // namespace

TEST_CASE("schema plan: tables that reference each other are dropped after their referrers",
          "[unit]") {
  Catalog from;
  CatalogTable a = Table("a", {Column("id", "integer", 1), Column("b_id", "integer", 2)});
  CatalogTable b = Table("b", {Column("id", "integer", 1), Column("a_id", "integer", 2)});
  CatalogTable c = Table("c", {Column("id", "integer", 1), Column("a_id", "integer", 2)});
  a.constraints = {ForeignKey("a_b_fkey", "b_id", "b")};
  b.constraints = {ForeignKey("b_a_fkey", "a_id", "a")};
  c.constraints = {ForeignKey("c_a_fkey", "a_id", "a")};
  from.tables = {a, b, c};
  // c references a: c goes first; a and b reference each other: one key goes first.
  std::vector<std::string> steps = Steps(PlanSchemaChanges(from, Catalog{}, {}));
  CHECK(steps == std::vector<std::string>{"drop constraint b", "drop table c", "drop table a",
                                          "drop table b"});
}

TEST_CASE(
    "schema plan: views that read a changed column are dropped readers first and made "
    "again readers last",
    "[unit]") {
  Catalog from;
  from.tables = {Table("t", {Column("id", "integer", 1), Column("x", "integer", 2)})};
  from.views = {View("v2", "SELECT x FROM public.v1"), View("v1", "SELECT x FROM public.t")};
  Catalog to = from;
  to.tables[0].columns[1].type = "bigint";
  std::vector<SchemaChange> plan = PlanSchemaChanges(from, to, {});
  CHECK(Steps(plan) == std::vector<std::string>{"drop view v2", "drop view v1", "alter column t",
                                                "create view v1", "create view v2"});
  CHECK(plan[2].loses.empty());  // integer -> bigint loses nothing
  std::vector<SchemaChange> back = PlanSchemaChanges(to, from, {});
  CHECK_THAT(back[2].loses, Catch::Contains("do not fit integer"));
}

TEST_CASE("schema plan: renames are asked for, reversed for the down, refused when unknown",
          "[unit]") {
  Catalog from;
  from.tables = {Table("users", {Column("id", "integer", 1), Column("name", "text", 2)})};
  Catalog to;
  to.tables = {Table("members", {Column("id", "integer", 1), Column("full_name", "text", 2)})};
  PlanOptions options;
  options.renames = {"users=members", "members.name=full_name"};
  CHECK(Steps(PlanSchemaChanges(from, to, options)) ==
        std::vector<std::string>{"rename table users", "rename column members"});
  CHECK(ReversedRenames(options.renames, "postgres") ==
        std::vector<std::string>{"members=users", "members.full_name=name"});
  options.renames = {"nosuch=x"};
  CHECK_THROWS_WITH(PlanSchemaChanges(from, to, options),
                    Catch::Contains("no table or column nosuch"));
  options.renames = {"users"};
  CHECK_THROWS_WITH(PlanSchemaChanges(from, to, options), Catch::Contains("write OLD=NEW"));
  // A name already there, or the same name, is refused; an '=' in quotes is part of a name.
  options.renames = {"users=users"};
  CHECK_THROWS_WITH(PlanSchemaChanges(from, to, options), Catch::Contains("nothing to rename"));
  options.renames = {"users.id=name"};
  CHECK_THROWS_WITH(PlanSchemaChanges(from, to, options), Catch::Contains("has a column name"));
  options.renames = {"\"a=b\"=c"};
  CHECK_THROWS_WITH(PlanSchemaChanges(from, to, options),
                    Catch::Contains("no table or column \"a=b\""));
}

TEST_CASE("schema plan: a column rename names its table by its old or new name, quoted or not",
          "[unit]") {
  Catalog from;
  from.tables = {Table("Users", {Column("id", "integer", 1), Column("Full Name", "text", 2)})};
  Catalog to;
  to.tables = {Table("members", {Column("id", "integer", 1), Column("name", "text", 2)})};
  PlanOptions options;
  for (auto renames :
       {std::vector<std::string>{"\"Users\".\"Full Name\"=name", "\"Users\"=MEMBERS"},
        std::vector<std::string>{"\"Users\"=members", "Members.\"Full Name\"=name"}}) {
    options.renames = renames;
    CHECK(Steps(PlanSchemaChanges(from, to, options)) ==
          std::vector<std::string>{"rename table Users", "rename column members"});
    // The down's renames find the same tables the other way round.
    options.renames = ReversedRenames(renames, "postgres");
    CHECK(Steps(PlanSchemaChanges(to, from, options)) ==
          std::vector<std::string>{"rename table members", "rename column Users"});
  }
  CHECK(ReversedRenames({"\"Users\".\"Full Name\"=name"}, "postgres") ==
        std::vector<std::string>{"\"Users\".name=\"Full Name\""});
  options.renames = {"a.b.c.d=e"};
  CHECK_THROWS_WITH(PlanSchemaChanges(from, to, options), Catch::Contains("write OLD=NEW"));
  // Unquoted, a PostgreSQL name is read in lower case, as the server reads it.
  options.renames = {"Users=members"};
  CHECK_THROWS_WITH(PlanSchemaChanges(from, to, options), Catch::Contains("no table or column"));
  CHECK(ReversedRenames({"Users=Members"}, "postgres") ==
        std::vector<std::string>{"members=users"});
  CHECK(ReversedRenames({"Users=Members"}, "sqlite") ==
        std::vector<std::string>{"\"Members\"=\"Users\""});
}

TEST_CASE("schema plan: a renamed table's keys and serial sequence are renamed, not rebuilt",
          "[unit]") {
  Catalog from;
  CatalogTable users = Table("users", {Column("id", "integer", 1)});
  users.columns[0].default_value = "nextval('users_id_seq'::regclass)";
  CatalogConstraint key;
  key.name = "users_pkey";
  key.type = "primary key";
  key.definition = "PRIMARY KEY (id)";
  users.constraints = {key};
  from.tables = {users};
  CatalogSequence seq;
  seq.schema = "public";
  seq.name = "users_id_seq";
  seq.owned_by = "public.users.id";
  from.sequences = {seq};
  Catalog to = from;
  to.tables[0].name = "members";
  to.tables[0].columns[0].default_value = "nextval('members_id_seq'::regclass)";
  to.tables[0].constraints[0].name = "members_pkey";
  to.sequences[0].name = "members_id_seq";
  to.sequences[0].owned_by = "public.members.id";
  PlanOptions options;
  options.renames = {"users=members"};
  std::vector<SchemaChange> plan = PlanSchemaChanges(from, to, options);
  std::vector<Kind> kinds;
  for (const SchemaChange& c : plan) kinds.push_back(c.kind);
  CHECK(kinds ==
        std::vector<Kind>{Kind::kRenameTable, Kind::kRenameConstraint, Kind::kRenameSequence});
}

TEST_CASE("schema plan: what is in a schema is dropped before it, partitions before parents",
          "[unit]") {
  Catalog from;
  from.schemas = {{"audit", ""}};
  CatalogType level;
  level.schema = "audit";
  level.name = "level";
  level.kind = "enum";
  CatalogType strong = level;
  strong.name = "strong";
  strong.kind = "domain";
  CatalogFunction f;
  f.schema = "audit";
  f.name = "loud";
  f.arguments = "l audit.level";
  from.types = {level, strong};
  from.functions = {f};
  CatalogTable parent = Table("z_parent", {Column("id", "integer", 1)});
  parent.kind = "partitioned table";
  CatalogTable child = Table("a_child", {Column("id", "integer", 1)});
  child.partition_of = "public.z_parent";
  from.tables = {parent, child};
  std::vector<Kind> kinds;
  std::vector<std::string> owners;
  for (const SchemaChange& c : PlanSchemaChanges(from, Catalog{}, {})) {
    kinds.push_back(c.kind);
    owners.push_back(c.owner);
  }
  CHECK(kinds == std::vector<Kind>{Kind::kDropTable, Kind::kDropTable, Kind::kDropFunction,
                                   Kind::kDropType, Kind::kDropType, Kind::kDropSchema});
  CHECK(owners ==
        std::vector<std::string>{"a_child", "z_parent", "loud", "strong", "level", "audit"});
  // Made again: the parent first.
  std::vector<std::string> made;
  for (const SchemaChange& c : PlanSchemaChanges(Catalog{}, from, {})) {
    if (c.kind == Kind::kCreateTable) made.push_back(c.owner);
  }
  CHECK(made == std::vector<std::string>{"z_parent", "a_child"});
}

TEST_CASE("schema plan: a NOT VALID check declared valid is validated in place", "[unit]") {
  Catalog from;
  CatalogTable t = Table("orders", {Column("total", "integer", 1)});
  CatalogConstraint check;
  check.name = "orders_total_positive";
  check.type = "check";
  check.definition = "CHECK ((total > 0)) NOT VALID";  // as pg_get_constraintdef says it
  t.constraints = {check};
  from.tables = {t};
  Catalog to = from;
  to.tables[0].constraints[0].definition = "CHECK ((total > 0))";
  std::vector<SchemaChange> plan = PlanSchemaChanges(from, to, {});
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].kind == Kind::kValidateConstraint);
  // The other way: PostgreSQL cannot un-validate, so the check is made again NOT VALID.
  std::vector<SchemaChange> back = PlanSchemaChanges(to, from, {});
  REQUIRE(back.size() == 2);
  CHECK(back[0].kind == Kind::kDropConstraint);
  CHECK((back[1].kind == Kind::kAddConstraint && !back[1].constraint.valid));
}

TEST_CASE("schema plan: an enum value added goes in place and one removed is refused or rebuilt",
          "[unit]") {
  CatalogType mood;
  mood.schema = "public";
  mood.name = "mood";
  mood.kind = "enum";
  mood.values = {"happy", "sad"};
  Catalog from;
  from.types = {mood};
  from.tables = {Table("people", {Column("m", "public.mood", 1)})};
  Catalog to = from;
  to.types[0].values = {"happy", "meh", "sad"};
  std::vector<SchemaChange> up = PlanSchemaChanges(from, to, {});
  REQUIRE(Steps(up) == std::vector<std::string>{"add value mood"});
  CHECK(up[0].value == "meh");
  CHECK(up[0].before == "sad");
  CHECK_THROWS_WITH(PlanSchemaChanges(to, from, {}),
                    Catch::Contains("it loses 'meh'") && Catch::Contains("cannot remove"));
  PlanOptions rebuild;
  rebuild.enums = PlanOptions::EnumRemoval::kRebuild;
  std::vector<SchemaChange> down = PlanSchemaChanges(to, from, rebuild);
  CHECK(Steps(down) == std::vector<std::string>{"rename type mood", "create type mood",
                                                "alter column people",
                                                "drop type mood__migrate_old"});
  CHECK(down[2].using_expression == "m::text::public.mood");
}

TEST_CASE("schema plan: SQLite rebuilds what ALTER TABLE cannot say and adds a plain column",
          "[unit]") {
  Catalog from;
  from.tables = {Table("t", {Column("id", "INTEGER", 1), Column("a", "TEXT", 2)})};
  from.tables[0].schema = "";
  Catalog added = from;
  added.tables[0].columns.push_back(Column("b", "INTEGER", 3));
  PlanOptions sqlite;
  sqlite.dialect = "sqlite";
  std::vector<SchemaChange> plan = PlanSchemaChanges(from, added, sqlite);
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].kind == Kind::kAddColumn);
  Catalog retyped = from;
  retyped.tables[0].columns[1].type = "INTEGER";
  plan = PlanSchemaChanges(from, retyped, sqlite);
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].kind == Kind::kRebuildTable);
  CHECK(plan[0].copied ==
        std::vector<std::pair<std::string, std::string>>{{"id", "id"}, {"a", "a"}});
}

TEST_CASE("schema plan: what migrate does not write is refused with what to do instead", "[unit]") {
  Catalog from;
  from.tables = {Table("t", {Column("id", "integer", 1), Column("b", "integer", 2)})};
  Catalog partitioned = from;
  partitioned.tables[0].kind = "partitioned table";
  partitioned.tables[0].partition_key = "RANGE (id)";
  CHECK_THROWS_WITH(
      PlanSchemaChanges(from, partitioned, {}),
      Catch::Contains("changes what kind of table it is") && Catch::Contains("migrate new"));
  CatalogType domain;
  domain.schema = "public";
  domain.name = "positive";
  domain.kind = "domain";
  domain.base_type = "integer";
  Catalog with_domain;
  with_domain.types = {domain};
  Catalog changed_domain = with_domain;
  changed_domain.types[0].base_type = "bigint";
  CHECK_THROWS_WITH(PlanSchemaChanges(with_domain, changed_domain, {}),
                    Catch::Contains("type public.positive (domain) changes"));
}

TEST_CASE("schema plan: an index on an existing partitioned table is spread to its partitions",
          "[unit]") {
  Catalog from;
  CatalogTable parent = Table("events", {Column("at", "date", 1)});
  parent.kind = "partitioned table";
  CatalogTable part = Table(std::string(60, 'p'), {Column("at", "date", 1)});
  part.partition_of = "public.events";
  from.tables = {parent, part};
  Catalog to = from;
  for (const char* name : {"events_at_first", "events_at_second"}) {
    CatalogIndex i;
    i.name = name;
    i.keys = "(at)";
    i.sql = std::string("CREATE INDEX ") + name + " ON ONLY public.events USING btree (at)";
    to.tables[0].indexes.push_back(i);
  }
  std::vector<std::string> children;
  std::vector<Kind> kinds;
  for (const SchemaChange& c : PlanSchemaChanges(from, to, {})) {
    kinds.push_back(c.kind);
    if (c.attached) children.push_back(c.new_name);
  }
  CHECK(kinds == std::vector<Kind>{Kind::kCreateIndex, Kind::kCreateIndex, Kind::kAttachIndex,
                                   Kind::kCreateIndex, Kind::kCreateIndex, Kind::kAttachIndex});
  // Cut to PostgreSQL's 63 bytes with a hash of the whole, so the two stay apart.
  REQUIRE(children.size() == 2);
  CHECK(children[0].size() == 63);
  CHECK(children[1].size() == 63);
  CHECK(children[0] != children[1]);
}
