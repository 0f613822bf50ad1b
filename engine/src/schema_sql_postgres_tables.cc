// PostgreSQL statements for tables and their parts (columns, constraints, indexes): the
// table half of schema_sql_postgres.cc.
#include <map>
#include <sstream>

#include "migrate/error.h"
#include "migrate/sql_text.h"
#include "schema_sql_internal.h"

namespace migrate::sql {
namespace {

using Kind = SchemaChange::Kind;

// "start=1 increment=1 min=1 max=10 cache=1 cycle" as sequence options.
std::string IdentityOptions(const std::string& options, const char* prefix) {
  static const std::map<std::string, std::string> kWords = {
      {"start", "START WITH "}, {"increment", "INCREMENT BY "},
      {"min", "MINVALUE "},     {"max", "MAXVALUE "},
      {"cache", "CACHE "},      {"cycle", "CYCLE"}};
  std::istringstream in(options);
  std::string out, word;
  while (in >> word) {
    std::size_t eq = word.find('=');
    auto it = kWords.find(word.substr(0, eq));
    if (it == kWords.end()) continue;
    out += (out.empty() ? "" : " ") + std::string(prefix) + it->second +
           (eq == std::string::npos ? "" : word.substr(eq + 1));
  }
  return out;
}

std::string ColumnDefinition(const Names& n, const CatalogColumn& c) {
  std::string out = n.Id(c.name) + " " + c.type;
  if (!c.collation.empty()) out += " COLLATE " + c.collation;
  if (!c.generated.empty()) out += " GENERATED ALWAYS AS (" + c.generated + ") STORED";
  if (!c.identity.empty()) {
    out += " GENERATED " + std::string(c.identity == "always" ? "ALWAYS" : "BY DEFAULT") +
           " AS IDENTITY";
    if (!c.identity_options.empty()) out += " (" + IdentityOptions(c.identity_options, "") + ")";
  }
  if (!c.default_value.empty()) out += " DEFAULT " + c.default_value;
  if (c.not_null) out += " NOT NULL";
  return out;
}

std::string JoinColumns(const std::vector<std::string>& columns) {
  std::string out;
  for (const std::string& c : columns) out += (out.empty() ? "" : ", ") + c;
  return out;
}

// What ADD CONSTRAINT says after the name, without NOT VALID (`valid` says it; the planner
// takes the words off a check's definition).
std::string ConstraintBody(const Names& n, const CatalogConstraint& c) {
  if (c.type != "foreign key") return c.definition;
  auto list = [&](const std::vector<std::string>& columns) {
    std::string out;
    for (const std::string& column : columns) out += (out.empty() ? "" : ", ") + n.Path(column);
    return out;
  };
  std::string out = "FOREIGN KEY (" + list(c.columns) + ") REFERENCES " + n.Path(c.references) +
                    "(" + list(c.ref_columns) + ")";
  if (!c.match.empty()) out += " MATCH " + Upper(c.match);
  if (!c.on_update.empty()) out += " ON UPDATE " + Upper(c.on_update);
  if (!c.on_delete.empty()) out += " ON DELETE " + Upper(c.on_delete);
  if (c.deferrable) out += " DEFERRABLE";
  if (c.initially_deferred) out += " INITIALLY DEFERRED";
  return out;
}

std::string CreateTable(const Names& n, const CatalogTable& t) {
  std::string kind = t.kind == "unlogged table" ? "UNLOGGED TABLE" : "TABLE";
  if (t.kind == "foreign table") {
    throw Error(ErrorCode::kUsage, "foreign table " + n.Qualified(t.schema, t.name) +
                                       ": migrate does not write CREATE FOREIGN TABLE (it needs "
                                       "a server); write it with 'migrate new'");
  }
  std::vector<std::string> parts;
  std::string later;  // constraints added NOT VALID after
  for (const CatalogColumn& c : t.columns) parts.push_back(ColumnDefinition(n, c));
  for (const CatalogConstraint& c : t.constraints) {
    if (c.type == "foreign key") continue;  // after every table: kAddConstraint
    std::string def = "CONSTRAINT " + n.Id(c.name) + " " + ConstraintBody(n, c);
    if (c.valid) {
      parts.push_back(def);
    } else {
      later += "ALTER TABLE " + n.Qualified(t.schema, t.name) + " ADD " + def + " NOT VALID;\n";
    }
  }
  std::string out = "CREATE " + kind + " " + n.Qualified(t.schema, t.name);
  if (!t.partition_of.empty()) out += " PARTITION OF " + n.Path(t.partition_of);
  if (!parts.empty() || t.partition_of.empty()) {
    out += " (\n";
    for (std::size_t i = 0; i < parts.size(); ++i) {
      out += "  " + parts[i] + (i + 1 < parts.size() ? ",\n" : "\n");
    }
    out += ")";
  }
  if (!t.partition_of.empty()) out += " " + t.partition_bound;
  if (!t.inherits.empty()) out += " INHERITS (" + JoinColumns(t.inherits) + ")";
  if (!t.partition_key.empty()) out += " PARTITION BY " + t.partition_key;
  if (!t.options.empty()) out += " WITH (" + t.options + ")";
  return out + ";\n" + later;
}

std::string AlterTable(const Names& n, const SchemaChange& c) {
  std::vector<std::string> actions;
  const CatalogTable& a = c.table;
  const CatalogTable& b = c.table_to;
  if (a.options != b.options && !a.options.empty()) {
    std::string keys;
    std::istringstream in(a.options);
    for (std::string item; std::getline(in, item, ',');) {
      item.erase(0, item.find_first_not_of(' '));
      keys += (keys.empty() ? "" : ", ") + item.substr(0, item.find('='));
    }
    actions.push_back("RESET (" + keys + ")");
  }
  if (a.options != b.options && !b.options.empty()) actions.push_back("SET (" + b.options + ")");
  if (a.row_security != b.row_security) {
    actions.push_back(b.row_security.empty() ? "DISABLE ROW LEVEL SECURITY"
                                             : "ENABLE ROW LEVEL SECURITY");
    actions.push_back(b.row_security == "forced" ? "FORCE ROW LEVEL SECURITY"
                                                 : "NO FORCE ROW LEVEL SECURITY");
  }
  if (a.replica_identity != b.replica_identity) {
    if (b.replica_identity == "index") {
      throw Error(ErrorCode::kUsage, "table " + n.Table(c) +
                                         ": REPLICA IDENTITY USING INDEX is not written by "
                                         "migrate; write it with 'migrate new'");
    }
    actions.push_back("REPLICA IDENTITY " + (b.replica_identity.empty()
                                                 ? std::string("DEFAULT")
                                                 : Upper(b.replica_identity)));
  }
  std::string out;
  for (const std::string& action : actions) {
    out += "ALTER TABLE " + n.Table(c) + " " + action + ";\n";
  }
  return out;
}

// The base name of a type: "character varying(10)[]" -> "character varying".
std::string BaseType(const std::string& type) { return type.substr(0, type.find_first_of("([")); }

std::string AlterColumn(const Names& n, const SchemaChange& c) {
  const CatalogColumn& a = c.column;
  const CatalogColumn& b = c.column_to;
  std::string col = n.Id(b.name);
  std::vector<std::string> actions;
  bool retype = a.type != b.type || a.collation != b.collation || !c.using_expression.empty();
  if (!a.identity.empty() && b.identity.empty()) actions.push_back("DROP IDENTITY");
  if (!a.generated.empty() && b.generated.empty()) actions.push_back("DROP EXPRESSION");
  if (retype && !a.default_value.empty()) actions.push_back("DROP DEFAULT");
  if (retype) {
    std::string type = "TYPE " + b.type;
    if (!b.collation.empty()) type += " COLLATE " + b.collation;
    if (!c.using_expression.empty()) {
      type += " USING " + c.using_expression;
    } else if (BaseType(a.type) != BaseType(b.type)) {
      type += " USING " + col + "::" + b.type;
    }
    actions.push_back(type);
  }
  if (!b.default_value.empty() && (retype || a.default_value != b.default_value)) {
    actions.push_back("SET DEFAULT " + b.default_value);
  } else if (b.default_value.empty() && !a.default_value.empty() && !retype) {
    actions.push_back("DROP DEFAULT");
  }
  if (a.not_null != b.not_null) actions.push_back(b.not_null ? "SET NOT NULL" : "DROP NOT NULL");
  std::string kind = b.identity == "always" ? "ALWAYS" : "BY DEFAULT";
  if (a.identity.empty() && !b.identity.empty()) {
    std::string options = IdentityOptions(b.identity_options, "");
    actions.push_back("ADD GENERATED " + kind + " AS IDENTITY" +
                      (options.empty() ? "" : " (" + options + ")"));
  } else if (!a.identity.empty() && !b.identity.empty() &&
             (a.identity != b.identity || a.identity_options != b.identity_options)) {
    std::string options = IdentityOptions(b.identity_options, "SET ");
    actions.push_back("SET GENERATED " + kind + (options.empty() ? "" : " " + options));
  }
  if (!a.generated.empty() && !b.generated.empty() && a.generated != b.generated) {
    actions.push_back("SET EXPRESSION AS (" + b.generated + ")");  // PostgreSQL 17
  }
  if (a.generated.empty() && !b.generated.empty()) {
    throw Error(ErrorCode::kUsage, "column " + n.Table(c) + "." + col +
                                       " becomes a generated column: PostgreSQL cannot alter a "
                                       "column into one; write it with 'migrate new'");
  }
  std::string out;
  for (const std::string& action : actions) {
    out += "ALTER TABLE " + n.Table(c) + " ALTER COLUMN " + col + " " + action + ";\n";
  }
  return out;
}

// A UNIQUE constraint on a table with rows, without blocking its writes: the index built
// CONCURRENTLY, then attached as the constraint (a no-transaction migration runs each alone).
std::string UniqueByIndex(const Names& n, const SchemaChange& c) {
  const std::string& def = c.constraint.definition;  // UNIQUE [NULLS NOT DISTINCT] (a, b) ...
  std::size_t open = def.find('(');
  std::size_t close = open == std::string::npos ? open : MatchingParen(def, open);
  if (close == std::string::npos) {
    throw Error(ErrorCode::kInternal, "cannot read the constraint " + def);
  }
  std::string tail = def.substr(close + 1), include;
  if (tail.rfind(" INCLUDE (", 0) == 0) {
    std::size_t end = MatchingParen(tail, 9);
    include = tail.substr(0, end + 1);
    tail = tail.substr(end + 1);
  }
  bool nulls = def.substr(0, open).find("NULLS NOT DISTINCT") != std::string::npos;
  std::string name = n.Id(c.constraint.name);
  return "CREATE UNIQUE INDEX CONCURRENTLY " + name + " ON " + n.Table(c) + " " +
         def.substr(open, close - open + 1) + include + (nulls ? " NULLS NOT DISTINCT" : "") +
         ";\nALTER TABLE " + n.Table(c) + " ADD CONSTRAINT " + name + " UNIQUE USING INDEX " +
         name + tail + ";\n";
}

// A NOT NULL column without a default cannot be added to a table with rows: it is added
// nullable, and made NOT NULL after the rows already there are filled.
std::string AddColumn(const Names& n, const SchemaChange& c) {
  CatalogColumn column = c.column;
  bool fill = c.existing && column.not_null && column.default_value.empty() &&
              column.identity.empty() && column.generated.empty();
  if (fill) column.not_null = false;
  std::string out =
      "ALTER TABLE " + n.Table(c) + " ADD COLUMN " + ColumnDefinition(n, column) + ";\n";
  if (!fill) return out;
  return out + "-- Fill " + n.Table(c) + "." + n.Id(column.name) +
         " for the rows already there (an UPDATE here) before it becomes NOT NULL.\n" +
         "ALTER TABLE " + n.Table(c) + " ALTER COLUMN " + n.Id(column.name) + " SET NOT NULL;\n";
}

std::string CreateIndex(const Names& n, const SchemaChange& c, bool concurrently) {
  std::string sql = c.index.sql;
  std::size_t only = sql.find(kOnOnly);
  std::size_t using_at = sql.find(" USING ", only == std::string::npos ? 0 : only);
  if (sql.empty() || (c.attached && (only == std::string::npos || using_at == std::string::npos))) {
    throw Error(ErrorCode::kInternal, "index " + c.index.name + " has no definition to write");
  }
  if (c.attached) {  // a partition's index: its parent's definition on the partition
    bool partitioned = c.table.kind == "partitioned table";
    return std::string("CREATE ") + (c.index.unique ? "UNIQUE " : "") + "INDEX " +
           (concurrently && !partitioned ? "CONCURRENTLY " : "") + n.Id(c.new_name) + " ON " +
           (partitioned ? "ONLY " : "") + n.Table(c) + sql.substr(using_at) + ";\n";
  }
  if (only != std::string::npos) {
    // A partitioned table's index (ON ONLY, as pg_get_indexdef says it): an existing table's
    // is made ON ONLY it, its partitions' attached after; a new table's with the table, which
    // makes its partitions' too.
    if (!c.existing) sql.erase(only + 3, 5);
  } else if (concurrently && c.existing) {
    std::size_t at = sql.find("INDEX ");
    if (at != std::string::npos) sql.insert(at + 6, "CONCURRENTLY ");
  }
  return sql + ";\n";
}

}  // namespace

// A table and its parts.
std::string PostgresTableStatement(const Names& n, const SchemaChange& c, bool concurrently) {
  std::string table = n.Table(c);
  switch (c.kind) {
    case Kind::kCreateTable:
      return CreateTable(n, c.table);
    case Kind::kDropTable:
      return "DROP TABLE " + table + ";\n";
    case Kind::kRenameTable:
      return "ALTER TABLE " + table + " RENAME TO " + n.Id(c.new_name) + ";\n";
    case Kind::kAlterTable:
      return AlterTable(n, c);
    case Kind::kAddColumn:
      return AddColumn(n, c);
    case Kind::kDropColumn:
      return "ALTER TABLE " + table + " DROP COLUMN " + n.Id(c.column.name) + ";\n";
    case Kind::kAlterColumn:
      return AlterColumn(n, c);
    case Kind::kRenameColumn:
      return "ALTER TABLE " + table + " RENAME COLUMN " + n.Id(c.column.name) + " TO " +
             n.Id(c.new_name) + ";\n";
    case Kind::kAddConstraint: {
      if (concurrently && ConcurrentKey(c)) return UniqueByIndex(n, c);
      bool later =
          c.existing && (c.constraint.type == "foreign key" || c.constraint.type == "check");
      return "ALTER TABLE " + table + " ADD CONSTRAINT " + n.Id(c.constraint.name) + " " +
             ConstraintBody(n, c.constraint) + (later || !c.constraint.valid ? " NOT VALID" : "") +
             ";\n";
    }
    case Kind::kValidateConstraint:
      return "ALTER TABLE " + table + " VALIDATE CONSTRAINT " + n.Id(c.constraint.name) + ";\n";
    case Kind::kDropConstraint:
      return "ALTER TABLE " + table + " DROP CONSTRAINT " + n.Id(c.constraint.name) + ";\n";
    case Kind::kRenameConstraint:
      return "ALTER TABLE " + table + " RENAME CONSTRAINT " + n.Id(c.constraint.name) + " TO " +
             n.Id(c.new_name) + ";\n";
    case Kind::kRenameIndex:
      return "ALTER INDEX " + n.Qualified(c.schema, c.index.name) + " RENAME TO " +
             n.Id(c.new_name) + ";\n";
    case Kind::kCreateIndex:
      return CreateIndex(n, c, concurrently);
    case Kind::kDropIndex: {
      // A partitioned table's index drops with its partitions', never CONCURRENTLY.
      bool partitioned = OfPartitionedTable(c.index);
      return std::string("DROP INDEX ") +
             (concurrently && c.existing && !partitioned ? "CONCURRENTLY " : "") +
             n.Qualified(c.schema, c.index.name) + ";\n";
    }
    case Kind::kAttachIndex:
      return "ALTER INDEX " + n.Qualified(c.schema, c.index.name) + " ATTACH PARTITION " +
             n.Path(c.new_name) + ";\n";
    default:
      break;
  }
  throw Error(ErrorCode::kInternal, "no PostgreSQL statement for this change of " + table);
}

}  // namespace migrate::sql
