// PostgreSQL statements for planned schema changes. Values come from the catalog as the server
// rendered them (format_type, pg_get_expr, pg_get_constraintdef, pg_get_indexdef,
// pg_get_viewdef, pg_get_triggerdef, pg_get_functiondef), so what is written reads back alike.
#include <map>
#include <sstream>

#include "migrate/error.h"
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

std::string Upper(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

std::string JoinColumns(const std::vector<std::string>& columns) {
  std::string out;
  for (const std::string& c : columns) out += (out.empty() ? "" : ", ") + c;
  return out;
}

// What ADD CONSTRAINT says after the name, without NOT VALID.
std::string ConstraintBody(const Names& n, const CatalogConstraint& c) {
  if (c.type != "foreign key") {
    std::string def = c.definition;
    const std::string kNotValid = " NOT VALID";
    if (def.size() > kNotValid.size() &&
        def.compare(def.size() - kNotValid.size(), kNotValid.size(), kNotValid) == 0) {
      def.resize(def.size() - kNotValid.size());
    }
    return def;
  }
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
  if (a.generated != b.generated && !b.generated.empty()) {
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

std::string CreateIndex(const SchemaChange& c, bool concurrently) {
  std::string sql = c.index.sql;
  if (sql.empty()) {
    throw Error(ErrorCode::kInternal, "index " + c.index.name + " has no definition to write");
  }
  // Not on a partitioned table's parent (ON ONLY): PostgreSQL refuses CONCURRENTLY there.
  if (concurrently && c.existing && sql.find(" ON ONLY ") == std::string::npos) {
    std::size_t at = sql.find("INDEX ");
    if (at != std::string::npos) sql.insert(at + 6, "CONCURRENTLY ");
  }
  return sql + ";\n";
}

std::string CreateType(const Names& n, const CatalogType& t) {
  std::string name = n.Qualified(t.schema, t.name);
  if (t.kind == "enum") {
    std::string values;
    for (const std::string& v : t.values) values += (values.empty() ? "" : ", ") + Literal(v);
    return "CREATE TYPE " + name + " AS ENUM (" + values + ");\n";
  }
  if (t.kind == "composite") return "CREATE TYPE " + name + " AS (" + t.definition + ");\n";
  if (t.kind == "range")
    return "CREATE TYPE " + name + " AS RANGE (subtype = " + t.base_type + ");\n";
  std::string out = "CREATE DOMAIN " + name + " AS " + t.base_type;
  if (!t.default_value.empty()) out += " DEFAULT " + t.default_value;
  if (t.not_null) out += " NOT NULL";
  for (const std::string& check : t.checks) out += " " + check;
  return out + ";\n";
}

std::string Sequence(const Names& n, const CatalogSequence& s, bool alter) {
  std::string out = std::string(alter ? "ALTER" : "CREATE") + " SEQUENCE " +
                    n.Qualified(s.schema, s.name) + " AS " + s.type;
  out += " INCREMENT BY " + s.increment + " MINVALUE " + s.min + " MAXVALUE " + s.max;
  out += (alter ? " START WITH " : " START WITH ") + s.start + " CACHE " + s.cache;
  out += s.cycle ? " CYCLE" : (alter ? " NO CYCLE" : "");
  return out + ";\n";
}

std::string Trigger(const Names& n, const SchemaChange& c) {
  std::string out = c.trigger.definition + ";\n";
  static const std::map<std::string, std::string> kFires = {{"disabled", "DISABLE TRIGGER "},
                                                            {"replica", "ENABLE REPLICA TRIGGER "},
                                                            {"always", "ENABLE ALWAYS TRIGGER "}};
  auto it = kFires.find(c.trigger.fires);
  if (it != kFires.end()) {
    out += "ALTER TABLE " + n.Table(c) + " " + it->second + n.Id(c.trigger.name) + ";\n";
  }
  return out;
}

std::string Policy(const Names& n, const SchemaChange& c) {
  const CatalogPolicy& p = c.policy;
  std::string out = "CREATE POLICY " + n.Id(p.name) + " ON " + n.Table(c);
  if (!p.permissive) out += " AS RESTRICTIVE";
  if (!p.command.empty() && p.command != "all") out += " FOR " + Upper(p.command);
  if (!p.roles.empty() && p.roles != "public") out += " TO " + p.roles;
  if (!p.using_expression.empty()) out += " USING (" + p.using_expression + ")";
  if (!p.check_expression.empty()) out += " WITH CHECK (" + p.check_expression + ")";
  return out + ";\n";
}

std::string View(const Names& n, const CatalogView& v) {
  std::string def = v.definition;
  while (!def.empty() && (def.back() == ';' || def.back() == '\n' || def.back() == ' ')) {
    def.pop_back();
  }
  std::string out = std::string("CREATE ") + (v.materialized ? "MATERIALIZED " : "") + "VIEW " +
                    n.Qualified(v.schema, v.name);
  if (!v.options.empty()) out += " WITH (" + v.options + ")";
  out += " AS\n" + def;
  if (v.materialized && !v.populated) out += "\nWITH NO DATA";
  return out + ";\n";
}

std::string Comment(const Names& n, const SchemaChange& c) {
  std::string target;
  if (c.comment_on == "COLUMN") {
    target = "COLUMN " + n.Table(c) + "." + n.Id(c.new_name);
  } else if (c.comment_on == "CONSTRAINT") {
    target = "CONSTRAINT " + n.Id(c.new_name) + " ON " + n.Table(c);
  } else if (c.comment_on == "INDEX") {
    target = "INDEX " + n.Qualified(c.schema, c.new_name);
  } else {
    target = c.comment_on + " " + n.Table(c) + c.new_name;  // FUNCTION f(args)
  }
  return "COMMENT ON " + target + " IS " + (c.comment.empty() ? "NULL" : Literal(c.comment)) +
         ";\n";
}

std::string Function(const Names& n, const SchemaChange& c) {
  if (c.function.sql.empty()) {
    throw Error(ErrorCode::kUsage, c.function.kind + " " + n.Table(c) + "(" + c.function.arguments +
                                       "): migrate does not write CREATE AGGREGATE; write it "
                                       "with 'migrate new'");
  }
  std::string sql = c.function.sql;
  while (!sql.empty() && (sql.back() == '\n' || sql.back() == ' ')) sql.pop_back();
  return sql + ";\n";
}

// A table and its parts.
std::string TableStatement(const Names& n, const SchemaChange& c, bool concurrently) {
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
    case Kind::kCreateIndex:
      return CreateIndex(c, concurrently);
    case Kind::kDropIndex:
      return std::string("DROP INDEX ") + (concurrently && c.existing ? "CONCURRENTLY " : "") +
             n.Qualified(c.schema, c.index.name) + ";\n";
    default:
      break;
  }
  throw Error(ErrorCode::kInternal, "no PostgreSQL statement for this change of " + table);
}

}  // namespace

std::string PostgresStatement(const Names& n, const SchemaChange& c, bool concurrently) {
  std::string table = n.Table(c);
  switch (c.kind) {
    case Kind::kCreateSchema:
      return "CREATE SCHEMA " + n.Id(c.owner) + ";\n";
    case Kind::kDropSchema:
      return "DROP SCHEMA " + n.Id(c.owner) + ";\n";
    case Kind::kCreateExtension:
      return "CREATE EXTENSION IF NOT EXISTS " + n.Id(c.extension.name) + " WITH SCHEMA " +
             n.Id(c.extension.schema) + ";\n";
    case Kind::kDropExtension:
      return "DROP EXTENSION " + n.Id(c.extension.name) + ";\n";
    case Kind::kCreateType:
      return CreateType(n, c.type);
    case Kind::kDropType:
      return std::string(c.type.kind == "domain" ? "DROP DOMAIN " : "DROP TYPE ") +
             n.Qualified(c.schema, c.owner) + ";\n";
    case Kind::kRenameType:
      return "ALTER TYPE " + table + " RENAME TO " + n.Id(c.new_name) + ";\n";
    case Kind::kAddEnumValue:
      return "ALTER TYPE " + table + " ADD VALUE " + Literal(c.value) +
             (c.before.empty() ? "" : " BEFORE " + Literal(c.before)) +
             (c.after.empty() ? "" : " AFTER " + Literal(c.after)) + ";\n";
    case Kind::kCreateSequence:
      return Sequence(n, c.sequence, false);
    case Kind::kAlterSequence:
      return Sequence(n, c.sequence_to, true);
    case Kind::kSequenceOwner:
      return "ALTER SEQUENCE " + table + " OWNED BY " +
             (c.sequence.owned_by.empty() ? "NONE" : n.Path(c.sequence.owned_by)) + ";\n";
    case Kind::kDropSequence:
      return "DROP SEQUENCE " + table + ";\n";
    case Kind::kCreateView:
      return View(n, c.view);
    case Kind::kDropView:
      return std::string("DROP ") + (c.view.materialized ? "MATERIALIZED " : "") + "VIEW " + table +
             ";\n";
    case Kind::kCreateFunction:
    case Kind::kReplaceFunction:
      return Function(n, c);
    case Kind::kDropFunction:
      return "DROP " +
             Upper(c.function.kind == "procedure"   ? "procedure"
                   : c.function.kind == "aggregate" ? "aggregate"
                                                    : "function") +
             " " + table + "(" + c.function.arguments + ");\n";
    case Kind::kCreateTrigger:
      return Trigger(n, c);
    case Kind::kDropTrigger:
      return "DROP TRIGGER " + n.Id(c.trigger.name) + " ON " + table + ";\n";
    case Kind::kCreatePolicy:
      return Policy(n, c);
    case Kind::kDropPolicy:
      return "DROP POLICY " + n.Id(c.policy.name) + " ON " + table + ";\n";
    case Kind::kComment:
      return Comment(n, c);
    default:
      return TableStatement(n, c, concurrently);
  }
}

}  // namespace migrate::sql
