// SQLite statements for planned schema changes. Tables, indexes, views and triggers are
// written as the CREATE text SQLite stored for them (what schema/ or a migration said), so a
// CHECK constraint or a generation expression the catalog does not read survives. A table
// ALTER TABLE cannot change is rebuilt by SQLite's documented procedure
// (https://www.sqlite.org/lang_altertable.html#otheralter): create the new table under a
// temporary name, copy the rows, drop the old table, rename the new one; its indexes,
// triggers and the views that read it are made again by the changes that follow. migrate
// runs SQLite with foreign_keys off and checks the rows the migration touched at its commit,
// so dropping the old table cascades nothing.
#include "migrate/error.h"
#include "schema_sql_internal.h"

namespace migrate::sql {
namespace {

using Kind = SchemaChange::Kind;

// `create` ("CREATE TABLE x (...) STRICT") with its name replaced by `name`: everything before
// the first '(' outside quotes is the head.
std::string Renamed(const std::string& create, const std::string& name) {
  char quote = 0;
  for (std::size_t i = 0; i < create.size(); ++i) {
    char ch = create[i];
    if (quote) {
      if (ch == quote) quote = 0;
      continue;
    }
    if (ch == '"' || ch == '`' || ch == '\'') quote = ch;
    if (ch == '[') quote = ']';
    if (ch == '(') return "CREATE TABLE " + name + " " + create.substr(i);
  }
  throw Error(ErrorCode::kInternal, "cannot find the column list of: " + create);
}

std::string Rebuild(const Names& n, const SchemaChange& c) {
  std::string table = n.Id(c.owner);
  std::string temporary = n.Id(c.owner + "__migrate_new");
  std::string into, from;
  for (const auto& [to_column, from_column] : c.copied) {
    into += (into.empty() ? "" : ", ") + n.Id(to_column);
    from += (from.empty() ? "" : ", ") + n.Id(from_column);
  }
  std::string out = "-- Rebuilds " + table +
                    " as SQLite's ALTER TABLE cannot change it in place: the new "
                    "table, its rows copied, the old one dropped, the new one renamed.\n";
  out += Renamed(c.table_to.sql, temporary) + ";\n";
  if (!into.empty()) {
    out += "INSERT INTO " + temporary + " (" + into + ") SELECT " + from + " FROM " + table + ";\n";
  }
  out += "DROP TABLE " + table + ";\n";
  out += "ALTER TABLE " + temporary + " RENAME TO " + table + ";\n";
  return out;
}

std::string AddColumn(const Names& n, const SchemaChange& c) {
  const CatalogColumn& col = c.column;
  std::string out = "ALTER TABLE " + n.Id(c.owner) + " ADD COLUMN " + n.Id(col.name);
  if (!col.type.empty()) out += " " + col.type;
  if (col.not_null) out += " NOT NULL";
  if (!col.default_value.empty()) out += " DEFAULT " + col.default_value;
  if (!col.collation.empty()) out += " COLLATE " + col.collation;
  return out + ";\n";
}

std::string Stored(const std::string& sql, const std::string& what) {
  if (sql.empty()) throw Error(ErrorCode::kInternal, what + " has no stored CREATE text");
  return sql + ";\n";
}

}  // namespace

std::string SqliteStatement(const Names& n, const SchemaChange& c) {
  std::string table = n.Id(c.owner);
  switch (c.kind) {
    case Kind::kCreateTable:
      return Stored(c.table.sql, "table " + table);
    case Kind::kDropTable:
      return "DROP TABLE " + table + ";\n";
    case Kind::kRenameTable:
      return "ALTER TABLE " + table + " RENAME TO " + n.Id(c.new_name) + ";\n";
    case Kind::kRenameColumn:
      return "ALTER TABLE " + table + " RENAME COLUMN " + n.Id(c.column.name) + " TO " +
             n.Id(c.new_name) + ";\n";
    case Kind::kAddColumn:
      return AddColumn(n, c);
    case Kind::kRebuildTable:
      return Rebuild(n, c);
    case Kind::kCreateIndex:
      return Stored(c.index.sql, "index " + c.index.name);
    case Kind::kDropIndex:
      return "DROP INDEX " + n.Id(c.index.name) + ";\n";
    case Kind::kCreateView:
      return Stored(c.view.definition, "view " + c.view.name);
    case Kind::kDropView:
      return "DROP VIEW " + table + ";\n";
    case Kind::kCreateTrigger:
      return Stored(c.trigger.definition, "trigger " + c.trigger.name);
    case Kind::kDropTrigger:
      return "DROP TRIGGER " + n.Id(c.trigger.name) + ";\n";
    case Kind::kComment:
      return "";  // SQLite has no comments on objects
    default:
      break;
  }
  throw Error(ErrorCode::kUsage, "SQLite cannot say this change to " + table +
                                     " in a migration migrate writes; write it with 'migrate new'");
}

}  // namespace migrate::sql
