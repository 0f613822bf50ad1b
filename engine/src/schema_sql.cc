// Planned changes as migration files (`migrate diff`) and a catalog as schema/ files
// (`migrate inspect`); the statements themselves are schema_sql_postgres.cc and
// schema_sql_sqlite.cc.
#include "migrate/schema_sql.h"

#include <algorithm>
#include <map>
#include <set>

#include "migrate/sql_text.h"
#include "schema_sql_internal.h"

namespace migrate {
namespace sql {

std::string Upper(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

bool ConcurrentKey(const SchemaChange& c) {
  return c.kind == SchemaChange::Kind::kAddConstraint && c.existing &&
         c.constraint.type == "unique" && c.table.kind == "table";
}

std::string Names::Id(const std::string& name) const {
  std::string part = NamePart(name);
  if (part.front() != '"' && dialect_.IsReservedWord(name)) return '"' + name + '"';
  return part;
}

std::string Names::Path(const std::string& catalog_name) const {
  std::string out, part;
  bool quoted = false;
  auto flush = [&] {
    out += (out.empty() ? "" : ".") + (part.empty() || part.front() == '"' ? part : Id(part));
    part.clear();
  };
  for (char ch : catalog_name) {
    if (ch == '"') quoted = !quoted;
    if (ch == '.' && !quoted) {
      flush();
      continue;
    }
    part += ch;
  }
  flush();
  return out;
}

std::string Names::Qualified(const std::string& schema, const std::string& name) const {
  return schema.empty() ? Id(name) : Id(schema) + "." + Id(name);
}

}  // namespace sql

namespace {

using Kind = SchemaChange::Kind;

// The changes that build an index on an existing table: the second migration's.
bool Concurrent(const SchemaChange& c) {
  return (c.kind == Kind::kCreateIndex && c.existing) || c.kind == Kind::kAttachIndex;
}

std::string Header(const std::string& title, const std::string& what, bool no_transaction,
                   bool lock_timeout) {
  std::string out = "-- " + what + ", written by '" + title +
                    "' from the declared schema.\n-- Review it as you would your own.\n";
  if (no_transaction) out += "-- migrate:no-transaction\n";
  if (lock_timeout) out += "-- migrate:lock-timeout 5s\n";
  return out + "\n";
}

// SQL-language function bodies name tables that may come later in the same migration.
std::string FunctionBodies(const std::vector<SchemaChange>& changes) {
  bool sql_function = std::any_of(changes.begin(), changes.end(), [](const SchemaChange& c) {
    return (c.kind == Kind::kCreateFunction || c.kind == Kind::kReplaceFunction) &&
           c.function.language == "sql";
  });
  return sql_function ? "-- Function bodies are checked when they first run, as pg_dump does.\n"
                        "SET LOCAL check_function_bodies = off;\n"
                      : "";
}

}  // namespace

std::string RenderChanges(const std::vector<SchemaChange>& changes, const Dialect& dialect,
                          bool concurrently) {
  std::string out;
  sql::Names names(dialect);
  bool sqlite = dialect.Name() == "sqlite";
  for (const SchemaChange& c : changes) {
    std::string statement =
        sqlite ? sql::SqliteStatement(names, c) : sql::PostgresStatement(names, c, concurrently);
    if (statement.empty()) continue;
    if (!c.loses.empty()) out += "-- Destructive: loses " + c.loses + ".\n";
    out += statement;
  }
  return out;
}

namespace {

// The changes of a diff's migrations on PostgreSQL: enum values a later statement of the diff
// uses (a value must be committed before it is used), the main change, and the indexes built
// CONCURRENTLY on existing tables with the foreign keys that need them; and their downs.
struct Parts {
  std::vector<SchemaChange> values, first, indexes, undo, undo_indexes;
};

std::string TableOf(const SchemaChange& c) { return ObjectName(c.schema, c.owner); }

// Foreign key `c` waits for the unique index it needs in the second migration (`moved`);
// its undo drops it before the index (`drops`; on a new table too, whose drop in the
// change's undo comes after). `keys`: table.constraint of those moved.
void MoveKey(const SchemaChange& c, std::vector<SchemaChange>& moved,
             std::vector<SchemaChange>& drops, std::set<std::string>& keys) {
  moved.push_back(c);
  if (c.kind == Kind::kAddConstraint && !c.existing && c.constraint.valid) {
    // A new table's key, out of the file that made it: NOT VALID, then validated.
    moved.back().existing = true;
    moved.push_back(c);
    moved.back().kind = Kind::kValidateConstraint;
  }
  if (c.kind == Kind::kAddConstraint && keys.insert(TableOf(c) + "." + c.constraint.name).second) {
    SchemaChange drop = c;
    drop.kind = Kind::kDropConstraint;
    drops.push_back(drop);
  }
}

Parts Split(const std::vector<SchemaChange>& up, const std::vector<SchemaChange>& down,
            bool postgres) {
  Parts parts;
  // unique_tables: "table(a, b)", the keys the second migration makes unique.
  std::set<std::string> concurrent, unique_tables, moved_keys;  // moved: table.constraint
  std::vector<SchemaChange> moved, moved_drops;
  std::set<std::string> keys;  // table.constraint of the UNIQUE constraints built so
  for (const SchemaChange& c : up) {
    if (postgres && sql::ConcurrentKey(c)) {
      keys.insert(TableOf(c) + "." + c.constraint.name);
      const std::string& def = c.constraint.definition;  // UNIQUE (a, b)
      std::size_t open = def.find('(');
      std::size_t close = open == std::string::npos ? open : MatchingParen(def, open);
      if (close != std::string::npos) {
        unique_tables.insert(TableOf(c) + def.substr(open, close - open + 1));
      }
      SchemaChange drop = c;
      drop.kind = Kind::kDropConstraint;
      parts.undo_indexes.push_back(drop);
    }
    // A partition's index and its attach go with its parent's, which the undo drops.
    if (!postgres || !Concurrent(c) || c.attached || c.kind == Kind::kAttachIndex) continue;
    concurrent.insert(c.schema + "." + c.index.name);
    if (c.index.unique) unique_tables.insert(TableOf(c) + c.index.keys);
    SchemaChange drop = c;
    drop.kind = Kind::kDropIndex;
    parts.undo_indexes.push_back(drop);
  }
  for (const SchemaChange& c : up) {
    std::string parent = c.constraint.references + "(";
    for (std::size_t i = 0; i < c.constraint.ref_columns.size(); ++i) {
      parent += (i ? ", " : "") + c.constraint.ref_columns[i];
    }
    bool needs_index = (c.kind == Kind::kAddConstraint || c.kind == Kind::kValidateConstraint) &&
                       c.constraint.type == "foreign key" && unique_tables.count(parent + ")");
    if (needs_index) {
      MoveKey(c, moved, moved_drops, moved_keys);
    } else {
      bool second = postgres && (Concurrent(c) || sql::ConcurrentKey(c));
      (second ? parts.indexes : parts.first).push_back(c);
    }
  }
  parts.indexes.insert(parts.indexes.end(), moved.begin(), moved.end());
  parts.undo_indexes.insert(parts.undo_indexes.begin(), moved_drops.begin(), moved_drops.end());
  for (const SchemaChange& c : down) {
    if (c.kind == Kind::kDropIndex && concurrent.count(c.schema + "." + c.index.name)) continue;
    std::string key = TableOf(c) + "." + c.constraint.name;
    if (c.kind == Kind::kDropConstraint && keys.count(key)) continue;  // dropped in undo_indexes
    if (c.kind == Kind::kDropConstraint && moved_keys.count(key)) continue;  // in undo_indexes
    parts.undo.push_back(c);
  }
  return parts;
}

// Moves the enum values of `parts.first` that its other statements use into `parts.values`.
void SplitValues(Parts& parts, const Dialect& d) {
  std::vector<SchemaChange> values, rest;
  for (const SchemaChange& c : parts.first) {
    (c.kind == Kind::kAddEnumValue ? values : rest).push_back(c);
  }
  std::string text = RenderChanges(rest, d) + RenderChanges(parts.indexes, d, true);
  bool used = std::any_of(values.begin(), values.end(), [&](const SchemaChange& c) {
    return text.find(SqlLiteral(c.value)) != std::string::npos;
  });
  if (!used) return;
  parts.values = std::move(values);
  parts.first = std::move(rest);
}

}  // namespace

std::vector<GeneratedMigration> RenderMigrations(const std::vector<SchemaChange>& up,
                                                 const std::vector<SchemaChange>& down,
                                                 const Dialect& d, const std::string& title) {
  bool postgres = d.Name() == "postgres";
  Parts parts = Split(up, down, postgres);
  if (postgres) SplitValues(parts, d);
  std::vector<GeneratedMigration> out;
  // Every PostgreSQL file waits at most 5 s for a lock, and fails rather than queue the
  // table's other users behind it.
  bool lock = postgres;
  if (!parts.values.empty()) {
    out.push_back(
        {"_enum_values",
         Header(title, "Enum values, committed before the next migration uses them", false, lock) +
             RenderChanges(parts.values, d),
         Header(title, "Its undo", false, lock) +
             "-- Nothing: the down of the next migration makes the type again without "
             "these values.\n"});
  }
  std::string functions = postgres ? FunctionBodies(parts.first) : "";
  std::string undo_functions = postgres ? FunctionBodies(parts.undo) : "";
  if (!parts.first.empty() || parts.indexes.empty()) {
    out.push_back(
        {"",
         Header(title, "The schema change", false, lock) + functions +
             RenderChanges(parts.first, d),
         Header(title, "Its undo", false, lock) + undo_functions + RenderChanges(parts.undo, d)});
  }
  if (!parts.indexes.empty()) {
    out.push_back(
        {"_indexes",
         Header(title, "The indexes of existing tables, built without blocking writes", true,
                true) +
             RenderChanges(parts.indexes, d, true),
         Header(title, "Its undo", true, true) + RenderChanges(parts.undo_indexes, d, true)});
  }
  return out;
}

namespace {

std::string FileSafe(const std::string& name) {
  std::string out;
  for (char ch : name) {
    bool ok = std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || ch == '-';
    out += ok ? ch : '_';
  }
  return out;
}

// The schema/ file that says `c`; `home` gives a partition the file of its parent.
std::string FileOf(const SchemaChange& c, const std::set<std::string>& views,
                   const std::map<std::string, std::string>& home) {
  std::string owner = ObjectName(c.schema, c.owner);
  for (auto parent = home.find(owner); parent != home.end(); parent = home.find(owner)) {
    owner = parent->second;
  }
  switch (c.kind) {
    case Kind::kCreateSchema:
      return "001_schemas.sql";
    case Kind::kCreateExtension:
      return "002_extensions.sql";
    case Kind::kCreateType:
      return "003_types.sql";
    case Kind::kCreateSequence:
      return "004_sequences.sql";
    case Kind::kCreateFunction:
      return "005_functions.sql";
    case Kind::kCreateView:
      return "900_views.sql";
    case Kind::kAddConstraint:
      if (c.constraint.type == "foreign key") return "800_foreign_keys.sql";
      break;
    case Kind::kSequenceOwner: {
      std::string column = c.sequence.owned_by;
      return "100_" + FileSafe(column.substr(0, column.rfind('.'))) + ".sql";
    }
    case Kind::kComment:
      if (c.comment_on == "SCHEMA") return "001_schemas.sql";
      if (c.comment_on == "TYPE") return "003_types.sql";
      if (c.comment_on == "SEQUENCE") return "004_sequences.sql";
      if (c.comment_on == "FUNCTION" || c.comment_on == "PROCEDURE" ||
          c.comment_on == "AGGREGATE") {
        return "005_functions.sql";
      }
      break;
    default:
      break;
  }
  if (views.count(owner)) return "900_views.sql";
  return "100_" + FileSafe(owner) + ".sql";
}

}  // namespace

std::vector<std::pair<std::string, std::string>> RenderSchemaFiles(const Catalog& catalog,
                                                                   const Dialect& d) {
  std::string_view dialect = d.Name();
  PlanOptions options;
  options.dialect = std::string(dialect);
  // What every new PostgreSQL database has already.
  Catalog empty;
  for (const CatalogSchema& s : catalog.schemas) {
    if (s.name == "public") empty.schemas.push_back({"public", "standard public schema"});
  }
  for (const CatalogExtension& e : catalog.extensions) {
    if (e.name == "plpgsql") empty.extensions.push_back(e);
  }
  std::vector<SchemaChange> changes = PlanSchemaChanges(empty, catalog, options);
  std::set<std::string> views;
  for (const CatalogView& v : catalog.views) views.insert(ObjectName(v.schema, v.name));
  std::map<std::string, std::string> home;
  for (const CatalogTable& t : catalog.tables) {
    if (!t.partition_of.empty()) home[ObjectName(t.schema, t.name)] = t.partition_of;
  }
  std::map<std::string, std::vector<SchemaChange>> files;
  for (SchemaChange& c : changes) {
    std::string file = FileOf(c, views, home);
    files[file].push_back(std::move(c));
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [name, items] : files) {
    std::string text = "-- Written by 'migrate inspect'.\n\n";
    if (name == "005_functions.sql" && dialect == "postgres") text += FunctionBodies(items);
    out.emplace_back(name, text + RenderChanges(items, d));
  }
  return out;
}

}  // namespace migrate
