// PostgreSQL statements for planned schema changes. Values come from the catalog as the server
// rendered them (format_type, pg_get_expr, pg_get_constraintdef, pg_get_indexdef,
// pg_get_viewdef, pg_get_triggerdef, pg_get_functiondef), so what is written reads back alike.
#include <map>

#include "migrate/error.h"
#include "migrate/sql_text.h"
#include "schema_sql_internal.h"

namespace migrate::sql {
namespace {

using Kind = SchemaChange::Kind;

std::string CreateType(const Names& n, const CatalogType& t) {
  std::string name = n.Qualified(t.schema, t.name);
  if (t.kind == "enum") {
    std::string values;
    for (const std::string& v : t.values) values += (values.empty() ? "" : ", ") + SqlLiteral(v);
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
  return "COMMENT ON " + target + " IS " + (c.comment.empty() ? "NULL" : SqlLiteral(c.comment)) +
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

// A sequence made, changed, renamed, owned or dropped.
std::string SequenceStatement(const Names& n, const SchemaChange& c) {
  std::string sequence = n.Table(c);
  switch (c.kind) {
    case Kind::kCreateSequence:
      return Sequence(n, c.sequence, false);
    case Kind::kAlterSequence:
      return Sequence(n, c.sequence_to, true);
    case Kind::kRenameSequence:
      return "ALTER SEQUENCE " + sequence + " RENAME TO " + n.Id(c.new_name) + ";\n";
    case Kind::kSequenceOwner:
      return "ALTER SEQUENCE " + sequence + " OWNED BY " +
             (c.sequence.owned_by.empty() ? "NONE" : n.Path(c.sequence.owned_by)) + ";\n";
    default:
      return "DROP SEQUENCE " + sequence + ";\n";
  }
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
      return "ALTER TYPE " + table + " ADD VALUE " + SqlLiteral(c.value) +
             (c.before.empty() ? "" : " BEFORE " + SqlLiteral(c.before)) +
             (c.after.empty() ? "" : " AFTER " + SqlLiteral(c.after)) + ";\n";
    case Kind::kCreateSequence:
    case Kind::kAlterSequence:
    case Kind::kRenameSequence:
    case Kind::kSequenceOwner:
    case Kind::kDropSequence:
      return SequenceStatement(n, c);
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
      return PostgresTableStatement(n, c, concurrently);
  }
}

}  // namespace migrate::sql
