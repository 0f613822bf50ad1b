// Describe: a Catalog as CatalogObjects in canonical order. The text and JSON renderings of
// those objects are catalog_text.cc.
#include "migrate/catalog.h"

#include <algorithm>
#include <tuple>

#include "migrate/sql_text.h"

namespace migrate {
namespace {

using Attributes = std::vector<std::pair<std::string, std::string>>;

// Appends `key` when `value` is not empty.
void Add(Attributes& a, const char* key, const std::string& value) {
  if (!value.empty()) a.emplace_back(key, value);
}
void Flag(Attributes& a, const char* key, bool value) {
  if (value) a.emplace_back(key, "true");
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Pointers to `items` ordered by `less`: sorted without copying what they point to.
template <typename T, typename Less>
std::vector<const T*> Sorted(const std::vector<T>& items, Less less) {
  std::vector<const T*> out;
  out.reserve(items.size());
  for (const T& item : items) out.push_back(&item);
  std::sort(out.begin(), out.end(), [&](const T* a, const T* b) { return less(*a, *b); });
  return out;
}

template <typename T>
std::vector<const T*> ByName(const std::vector<T>& items) {
  return Sorted(items, [](const T& a, const T& b) { return a.name < b.name; });
}

template <typename T>
std::vector<const T*> ByQualifiedName(const std::vector<T>& items) {
  return Sorted(items, [](const T& a, const T& b) {
    return std::tie(a.schema, a.name) < std::tie(b.schema, b.name);
  });
}

CatalogObject Column(const std::string& table, const CatalogColumn& c) {
  CatalogObject o{"column", table + "." + NamePart(c.name), {}};
  o.attributes.emplace_back("position", std::to_string(c.position));
  Add(o.attributes, "type", c.type);
  Flag(o.attributes, "not_null", c.not_null);
  Add(o.attributes, "default", c.default_value);
  Add(o.attributes, "identity", c.identity);
  Add(o.attributes, "generated", c.generated);
  Add(o.attributes, "collation", c.collation);
  Add(o.attributes, "identity_options", c.identity_options);
  Flag(o.attributes, "autoincrement", c.autoincrement);
  Add(o.attributes, "comment", c.comment);
  return o;
}

CatalogObject Constraint(const std::string& table, const CatalogConstraint& c) {
  CatalogObject o{"constraint", table + "." + NamePart(c.name), {}};
  Add(o.attributes, "type", c.type);
  if (!c.columns.empty()) o.attributes.emplace_back("columns", "(" + Join(c.columns) + ")");
  Add(o.attributes, "definition", c.definition);
  if (!c.references.empty()) {
    o.attributes.emplace_back("references", c.ref_columns.empty()
                                                ? c.references
                                                : c.references + "(" + Join(c.ref_columns) + ")");
    Add(o.attributes, "on_update", c.on_update);
    Add(o.attributes, "on_delete", c.on_delete);
    Add(o.attributes, "match", c.match);
  }
  Flag(o.attributes, "deferrable", c.deferrable);
  Flag(o.attributes, "initially_deferred", c.initially_deferred);
  Flag(o.attributes, "not_valid", !c.valid);
  Add(o.attributes, "comment", c.comment);
  return o;
}

CatalogObject Index(const std::string& owner, const CatalogIndex& i) {
  CatalogObject o{"index", owner + "." + NamePart(i.name), {}};
  Flag(o.attributes, "unique", i.unique);
  Add(o.attributes, "method", i.method);
  Add(o.attributes, "keys", i.keys);
  Add(o.attributes, "include", i.include);
  Add(o.attributes, "where", i.predicate);
  Add(o.attributes, "options", i.options);
  Flag(o.attributes, "invalid", !i.valid);
  Add(o.attributes, "comment", i.comment);
  return o;
}

CatalogObject Trigger(const std::string& owner, const CatalogTrigger& t) {
  CatalogObject o{"trigger", owner + "." + NamePart(t.name), {}};
  Add(o.attributes, "definition", t.definition);
  Add(o.attributes, "fires", t.fires);
  return o;
}

CatalogObject Policy(const std::string& owner, const CatalogPolicy& p) {
  CatalogObject o{"policy", owner + "." + NamePart(p.name), {}};
  Add(o.attributes, "command", p.command);
  Flag(o.attributes, "restrictive", !p.permissive);
  Add(o.attributes, "roles", p.roles);
  Add(o.attributes, "using", p.using_expression);
  Add(o.attributes, "check", p.check_expression);
  return o;
}

// The indexes and triggers of a table or materialized view, sorted by name.
void AddParts(const std::string& owner, const std::vector<CatalogIndex>& indexes,
              const std::vector<CatalogTrigger>& triggers, std::vector<CatalogObject>& out) {
  for (const CatalogIndex* i : ByName(indexes)) out.push_back(Index(owner, *i));
  for (const CatalogTrigger* t : ByName(triggers)) out.push_back(Trigger(owner, *t));
}

void AddTable(const CatalogTable& t, std::vector<CatalogObject>& out) {
  std::string name = ObjectName(t.schema, t.name);
  CatalogObject table{"table", name, {}};
  Add(table.attributes, "kind", t.kind == "table" ? "" : t.kind);
  Add(table.attributes, "partition_key", t.partition_key);
  Add(table.attributes, "partition_of", t.partition_of);
  Add(table.attributes, "partition_bound", t.partition_bound);
  if (!t.inherits.empty()) table.attributes.emplace_back("inherits", "(" + Join(t.inherits) + ")");
  Add(table.attributes, "options", t.options);
  Add(table.attributes, "row_security", t.row_security);
  Add(table.attributes, "replica_identity", t.replica_identity);
  Flag(table.attributes, "without_rowid", t.without_rowid);
  Flag(table.attributes, "strict", t.strict);
  Add(table.attributes, "virtual", t.virtual_module);
  Add(table.attributes, "comment", t.comment);
  out.push_back(std::move(table));
  auto by_position = [](const CatalogColumn& a, const CatalogColumn& b) {
    return a.position < b.position;
  };
  for (const CatalogColumn* c : Sorted(t.columns, by_position)) out.push_back(Column(name, *c));
  for (const CatalogConstraint* c : ByName(t.constraints)) out.push_back(Constraint(name, *c));
  AddParts(name, t.indexes, t.triggers, out);
  for (const CatalogPolicy* p : ByName(t.policies)) out.push_back(Policy(name, *p));
}

CatalogObject Type(const CatalogType& t) {
  CatalogObject o{"type", ObjectName(t.schema, t.name), {}};
  Add(o.attributes, "kind", t.kind);
  if (!t.values.empty()) {
    std::string values;
    for (const std::string& v : t.values) values += (values.empty() ? "" : ", ") + SqlLiteral(v);
    o.attributes.emplace_back("values", "(" + values + ")");
  }
  Add(o.attributes, "base_type", t.base_type);
  Flag(o.attributes, "not_null", t.not_null);
  Add(o.attributes, "default", t.default_value);
  std::vector<std::string> checks = t.checks;
  std::sort(checks.begin(), checks.end());
  Add(o.attributes, "checks", Join(checks));
  Add(o.attributes, "definition", t.definition);
  Add(o.attributes, "comment", t.comment);
  return o;
}

CatalogObject Sequence(const CatalogSequence& s) {
  CatalogObject o{"sequence", ObjectName(s.schema, s.name), {}};
  Add(o.attributes, "type", s.type);
  Add(o.attributes, "start", s.start);
  Add(o.attributes, "increment", s.increment);
  Add(o.attributes, "min", s.min);
  Add(o.attributes, "max", s.max);
  Add(o.attributes, "cache", s.cache);
  Flag(o.attributes, "cycle", s.cycle);
  Add(o.attributes, "owned_by", s.owned_by);
  Add(o.attributes, "comment", s.comment);
  return o;
}

CatalogObject Function(const CatalogFunction& f) {
  CatalogObject o{"function", ObjectName(f.schema, f.name) + "(" + f.arguments + ")", {}};
  Add(o.attributes, "kind", f.kind == "function" ? "" : f.kind);
  Add(o.attributes, "returns", f.returns);
  Add(o.attributes, "language", f.language);
  Add(o.attributes, "volatility", f.volatility);
  Flag(o.attributes, "strict", f.strict);
  Flag(o.attributes, "security_definer", f.security_definer);
  Add(o.attributes, "config", f.config);
  Add(o.attributes, "parallel", f.parallel);
  Add(o.attributes, "cost", f.cost);
  Add(o.attributes, "rows", f.rows);
  Add(o.attributes, "body", f.body_hash);
  Add(o.attributes, "comment", f.comment);
  return o;
}

}  // namespace

std::string ObjectName(const std::string& schema, const std::string& name) {
  return schema.empty() ? NamePart(name) : NamePart(schema) + "." + NamePart(name);
}

std::vector<CatalogObject> Describe(const Catalog& c) {
  std::vector<CatalogObject> out;
  for (const CatalogSchema* s : ByName(c.schemas)) {
    out.push_back({"schema", NamePart(s->name), {}});
    Add(out.back().attributes, "comment", s->comment);
  }
  for (const CatalogExtension* e : ByName(c.extensions)) {
    out.push_back({"extension", NamePart(e->name), {}});
    Add(out.back().attributes, "version", e->version);
    Add(out.back().attributes, "schema", e->schema);
  }
  for (const CatalogType* t : ByQualifiedName(c.types)) out.push_back(Type(*t));
  for (const CatalogSequence* s : ByQualifiedName(c.sequences)) out.push_back(Sequence(*s));
  for (const CatalogTable* t : ByQualifiedName(c.tables)) AddTable(*t, out);
  for (const CatalogView* v : ByQualifiedName(c.views)) {
    std::string name = ObjectName(v->schema, v->name);
    out.push_back({v->materialized ? "materialized_view" : "view", name, {}});
    Add(out.back().attributes, "definition", v->definition);
    Add(out.back().attributes, "options", v->options);
    Flag(out.back().attributes, "not_populated", v->materialized && !v->populated);
    Add(out.back().attributes, "comment", v->comment);
    AddParts(name, v->indexes, v->triggers, out);
  }
  auto by_signature = [](const CatalogFunction& a, const CatalogFunction& b) {
    return std::tie(a.schema, a.name, a.arguments) < std::tie(b.schema, b.name, b.arguments);
  };
  for (const CatalogFunction* f : Sorted(c.functions, by_signature)) out.push_back(Function(*f));
  return out;
}

const std::string* CatalogObject::Find(std::string_view attribute) const {
  for (const auto& [key, value] : attributes) {
    if (key == attribute) return &value;
  }
  return nullptr;
}

bool CatalogObject::IsPartOf(const CatalogObject& owner) const {
  bool part = kind == "column" || kind == "constraint" || kind == "index" || kind == "trigger" ||
              kind == "policy";
  bool owns = owner.kind == "table" || owner.kind == "view" || owner.kind == "materialized_view";
  return part && owns && name.size() > owner.name.size() + 1 && name.starts_with(owner.name) &&
         name[owner.name.size()] == '.';
}

std::string NamePart(std::string_view part) {
  bool plain = !part.empty() && !(part[0] >= '0' && part[0] <= '9');
  for (char ch : part) {
    plain = plain && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_');
  }
  if (plain) return std::string(part);
  std::string out = "\"";
  for (char ch : part) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

}  // namespace migrate
