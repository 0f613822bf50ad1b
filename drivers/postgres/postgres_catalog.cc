#include "postgres/postgres_catalog.h"

#include <algorithm>
#include <map>

#include "migrate/error.h"
#include "migrate/sql_text.h"
#include "postgres/postgres_catalog_queries.h"

namespace migrate::postgres {
namespace {

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '\x1f') {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

std::vector<std::string> Names(const std::string& joined) {
  std::vector<std::string> out = Split(joined);
  for (std::string& name : out) name = NamePart(name);
  return out;
}

// "schema\x1ftable" as a CatalogObject name.
std::string ObjectName(const std::string& joined) {
  std::string out;
  for (const std::string& part : Split(joined)) out += (out.empty() ? "" : ".") + NamePart(part);
  return out;
}

std::string FkAction(char code) {
  switch (code) {
    case 'r':
      return "restrict";
    case 'c':
      return "cascade";
    case 'n':
      return "set null";
    case 'd':
      return "set default";
    default:
      return "";  // 'a', no action: the default says nothing
  }
}

std::string Text(const pqxx::field& f) { return f.is_null() ? "" : f.c_str(); }
char Code(const pqxx::field& f) { return f.is_null() || f.size() == 0 ? ' ' : f.c_str()[0]; }

// Splits pg_get_indexdef's "CREATE [UNIQUE] INDEX n ON t USING m (keys) [INCLUDE (...)]
// [NULLS NOT DISTINCT] [WITH (...)] [WHERE pred]" into its parts.
void SplitIndexDefinition(const std::string& def, CatalogIndex& index) {
  // The first " USING " outside the double quotes of the index and table names.
  std::size_t using_at = std::string::npos;
  bool quoted = false;
  for (std::size_t i = 0; i < def.size() && using_at == std::string::npos; ++i) {
    if (def[i] == '"') quoted = !quoted;
    if (!quoted && def.compare(i, 7, " USING ") == 0) using_at = i;
  }
  std::size_t open = using_at == std::string::npos ? using_at : def.find('(', using_at);
  std::size_t close = open == std::string::npos ? open : MatchingParen(def, open);
  if (close == std::string::npos) {
    index.keys = def;  // not the shape we know: keep it whole
    return;
  }
  index.keys = def.substr(open, close - open + 1);
  std::string rest = def.substr(close + 1);
  if (rest.rfind(" INCLUDE (", 0) == 0) {
    std::size_t end = MatchingParen(rest, 9);
    index.include = rest.substr(9, end - 8);
    rest = rest.substr(end + 1);
  }
  std::size_t where = rest.find(" WHERE ");
  if (where != std::string::npos) {
    index.predicate = rest.substr(where + 7);
    rest.resize(where);
  }
  index.options = CollapseSpaces(rest);
}

class Reader {
 public:
  explicit Reader(pqxx::transaction_base& tx, std::string own) : tx_(tx), own_(std::move(own)) {}

  Catalog Read(const std::string& own_schemas) {
    pqxx::pipeline p(tx_);  // every query in one round trip
    auto schemas = p.insert(catalog_sql::Schemas(own_schemas));
    auto extensions = p.insert(catalog_sql::Extensions());
    auto relations = p.insert(catalog_sql::RelationRows(own_));
    auto columns = p.insert(catalog_sql::Columns(own_));
    auto constraints = p.insert(catalog_sql::Constraints(own_));
    auto indexes = p.insert(catalog_sql::Indexes(own_));
    auto triggers = p.insert(catalog_sql::Triggers(own_));
    auto policies = p.insert(catalog_sql::Policies(own_));
    auto functions = p.insert(catalog_sql::Functions());
    auto types = p.insert(catalog_sql::Types());
    for (const auto& r : p.retrieve(schemas)) out_.schemas.push_back({Text(r[0]), Text(r[1])});
    for (const auto& r : p.retrieve(extensions)) {
      out_.extensions.push_back({Text(r[0]), Text(r[1]), Text(r[2])});
    }
    Relations(p.retrieve(relations));
    Columns(p.retrieve(columns));
    Constraints(p.retrieve(constraints));
    Indexes(p.retrieve(indexes));
    Triggers(p.retrieve(triggers));
    Policies(p.retrieve(policies));
    Functions(p.retrieve(functions));
    Types(p.retrieve(types));
    for (auto& [oid, table] : tables_) {
      // Dropped columns leave gaps in attnum: the position is the rank among live columns.
      std::sort(
          table.columns.begin(), table.columns.end(),
          [](const CatalogColumn& a, const CatalogColumn& b) { return a.position < b.position; });
      for (std::size_t i = 0; i < table.columns.size(); ++i) {
        table.columns[i].position = static_cast<int>(i + 1);
      }
      out_.tables.push_back(std::move(table));
    }
    for (auto& [oid, view] : views_) out_.views.push_back(std::move(view));
    return std::move(out_);
  }

 private:
  void Relations(const pqxx::result& rows) {
    for (const auto& r : rows) {
      std::string oid = Text(r[0]), schema = Text(r[1]), name = Text(r[2]);
      char kind = Code(r[3]);
      if (kind == 'v' || kind == 'm') {
        std::string definition = Text(r[9]);  // pg_get_viewdef starts with a space
        definition.erase(0, definition.find_first_not_of(" \n"));
        views_[oid] =
            CatalogView{schema,           name,       kind == 'm', definition, Text(r[18]),
                        r[23].as<bool>(), Text(r[8]), {},          {}};
      } else if (kind == 'S') {
        out_.sequences.push_back({schema, name, Text(r[10]), Text(r[11]), Text(r[12]), Text(r[13]),
                                  Text(r[14]), Text(r[15]), r[16].as<bool>(),
                                  ObjectName(Text(r[17])), Text(r[8])});
      } else {
        CatalogTable t;
        t.schema = schema;
        t.name = name;
        t.kind = "table";
        if (kind == 'p') t.kind = "partitioned table";
        if (kind == 'f') t.kind = "foreign table";
        if (Code(r[4]) == 'u') t.kind = "unlogged table";
        t.partition_key = Text(r[5]);
        t.partition_of = ObjectName(Text(r[6]));
        t.partition_bound = Text(r[7]);
        t.comment = Text(r[8]);
        TableOptions(r, t);
        tables_[oid] = std::move(t);
      }
    }
  }

  // Storage parameters, row security, replica identity and INHERITS parents.
  static void TableOptions(const pqxx::row& r, CatalogTable& t) {
    t.options = Text(r[18]);
    if (r[19].as<bool>()) t.row_security = r[20].as<bool>() ? "forced" : "enabled";
    static const std::map<char, const char*> kIdentity = {
        {'f', "full"}, {'n', "nothing"}, {'i', "index"}};
    if (auto it = kIdentity.find(Code(r[21])); it != kIdentity.end()) {
      t.replica_identity = it->second;
    }
    t.inherits = Split(Text(r[22]));
  }

  void Columns(const pqxx::result& rows) {
    for (const auto& r : rows) {
      std::string oid = Text(r[0]);
      int attnum = r[2].as<int>();
      attributes_[oid][attnum] = Text(r[1]);
      auto t = tables_.find(oid);
      // Inherited columns belong to the parent (a partition's are its parent's).
      if (t == tables_.end() || !r[10].as<bool>()) continue;
      CatalogColumn c;
      c.name = Text(r[1]);
      c.position = attnum;  // made a rank among live columns in Read
      c.type = Text(r[3]);
      c.not_null = r[4].as<bool>();
      (Code(r[7]) == 's' ? c.generated : c.default_value) = Text(r[5]);
      if (Code(r[6]) == 'a') c.identity = "always";
      if (Code(r[6]) == 'd') c.identity = "by default";
      c.collation = Text(r[8]);
      c.comment = Text(r[9]);
      c.identity_options = Text(r[11]);
      t->second.columns.push_back(std::move(c));
    }
  }

  // The names of attribute numbers `keys` ("{2,1}") of relation `oid`, in key order.
  std::vector<std::string> KeyNames(const std::string& oid, const std::string& keys) {
    std::vector<std::string> out;
    const std::map<int, std::string>& names = attributes_[oid];
    for (std::size_t i = 1; i < keys.size();) {
      std::size_t end = keys.find_first_of(",}", i);
      auto it = names.find(std::stoi(keys.substr(i, end - i)));
      out.push_back(it == names.end() ? "?" : NamePart(it->second));
      i = end + 1;
    }
    return out;
  }

  // A foreign key's parent and its columns: from what was read, or from `fallback` (the query
  // names a parent outside the user's relations itself).
  void Parent(const std::string& oid, const std::string& keys, const std::string& fallback,
              CatalogConstraint& c) {
    if (!fallback.empty()) {
      std::size_t split = fallback.find('\x1e');
      c.references = ObjectName(fallback.substr(0, split));
      c.ref_columns = Names(fallback.substr(split + 1));
      return;
    }
    auto t = tables_.find(oid);
    if (t != tables_.end()) {
      c.references = NamePart(t->second.schema) + "." + NamePart(t->second.name);
    }
    c.ref_columns = KeyNames(oid, keys);
  }

  void Constraints(const pqxx::result& rows) {
    static const std::map<char, const char*> kTypes = {{'p', "primary key"},
                                                       {'u', "unique"},
                                                       {'c', "check"},
                                                       {'x', "exclusion"},
                                                       {'f', "foreign key"}};
    for (const auto& r : rows) {
      auto t = tables_.find(Text(r[0]));
      if (t == tables_.end()) continue;
      CatalogConstraint c;
      c.name = Text(r[1]);
      char type = Code(r[2]);
      c.type = kTypes.at(type);
      c.comment = Text(r[13]);
      if (type != 'f') {
        c.definition = Text(r[3]);  // says columns, INCLUDE, DEFERRABLE, NOT VALID
        t->second.constraints.push_back(std::move(c));
        continue;
      }
      c.columns = KeyNames(Text(r[0]), Text(r[4]));
      Parent(Text(r[5]), Text(r[6]), Text(r[14]), c);
      c.on_update = FkAction(Code(r[7]));
      c.on_delete = FkAction(Code(r[8]));
      c.match = Code(r[9]) == 'f' ? "full" : Code(r[9]) == 'p' ? "partial" : "";
      c.deferrable = r[10].as<bool>();
      c.initially_deferred = r[11].as<bool>();
      c.valid = r[12].as<bool>();
      t->second.constraints.push_back(std::move(c));
    }
  }

  void Indexes(const pqxx::result& rows) {
    for (const auto& r : rows) {
      CatalogIndex index;
      index.name = Text(r[1]);
      index.unique = r[2].as<bool>();
      index.method = Text(r[3]);
      index.sql = Text(r[4]);
      SplitIndexDefinition(index.sql, index);
      index.valid = r[5].as<bool>();
      index.comment = Text(r[6]);
      if (auto t = tables_.find(Text(r[0])); t != tables_.end()) {
        t->second.indexes.push_back(std::move(index));
      } else if (auto v = views_.find(Text(r[0])); v != views_.end()) {
        v->second.indexes.push_back(std::move(index));
      }
    }
  }

  void Triggers(const pqxx::result& rows) {
    for (const auto& r : rows) {
      static const std::map<char, const char*> kFires = {
          {'D', "disabled"}, {'R', "replica"}, {'A', "always"}};
      auto fires = kFires.find(Code(r[3]));
      CatalogTrigger trigger{Text(r[1]), Text(r[2]), fires == kFires.end() ? "" : fires->second};
      if (auto t = tables_.find(Text(r[0])); t != tables_.end()) {
        t->second.triggers.push_back(std::move(trigger));
      } else if (auto v = views_.find(Text(r[0])); v != views_.end()) {
        v->second.triggers.push_back(std::move(trigger));
      }
    }
  }

  void Policies(const pqxx::result& rows) {
    static const std::map<char, const char*> kCommands = {
        {'*', "all"}, {'r', "select"}, {'a', "insert"}, {'w', "update"}, {'d', "delete"}};
    for (const auto& r : rows) {
      auto t = tables_.find(Text(r[0]));
      if (t == tables_.end()) continue;
      auto command = kCommands.find(Code(r[2]));
      t->second.policies.push_back({Text(r[1]), command == kCommands.end() ? "" : command->second,
                                    r[3].as<bool>(), Text(r[4]), Text(r[5]), Text(r[6])});
    }
  }

  void Functions(const pqxx::result& rows) {
    static const std::map<char, const char*> kKinds = {
        {'f', "function"}, {'p', "procedure"}, {'a', "aggregate"}, {'w', "window"}};
    static const std::map<char, const char*> kVolatility = {
        {'i', "immutable"}, {'s', "stable"}, {'v', "volatile"}};
    for (const auto& r : rows) {
      CatalogFunction f;
      f.schema = Text(r[0]);
      f.name = Text(r[1]);
      f.arguments = Text(r[2]);
      f.kind = kKinds.count(Code(r[3])) ? kKinds.at(Code(r[3])) : "function";
      f.returns = Text(r[4]);
      f.language = Text(r[5]);
      f.volatility = kVolatility.count(Code(r[6])) ? kVolatility.at(Code(r[6])) : "";
      f.strict = r[7].as<bool>();
      f.security_definer = r[8].as<bool>();
      f.config = Text(r[9]);
      char parallel = Code(r[10]);
      f.parallel = parallel == 's' ? "safe" : parallel == 'r' ? "restricted" : "";
      f.cost = Text(r[11]);
      f.rows = Text(r[12]);
      f.body_hash = Text(r[13]);
      f.comment = Text(r[14]);
      f.sql = Text(r[15]);
      out_.functions.push_back(std::move(f));
    }
  }

  void Types(const pqxx::result& rows) {
    for (const auto& r : rows) {
      CatalogType t;
      t.schema = Text(r[0]);
      t.name = Text(r[1]);
      char kind = Code(r[2]);
      t.kind = kind == 'e' ? "enum" : kind == 'd' ? "domain" : kind == 'r' ? "range" : "composite";
      t.values = Split(Text(r[3]));
      t.base_type = Text(r[4]);
      t.not_null = r[5].as<bool>();
      t.default_value = Text(r[6]);
      t.checks = Split(Text(r[7]));
      t.definition = Text(r[8]);
      t.comment = Text(r[9]);
      if (kind == 'r') t.base_type = Text(r[10]);
      out_.types.push_back(std::move(t));
    }
  }

  pqxx::transaction_base& tx_;
  std::string own_;
  Catalog out_;
  std::map<std::string, CatalogTable> tables_;  // by OID, within this read only
  std::map<std::string, CatalogView> views_;
  std::map<std::string, std::map<int, std::string>> attributes_;  // relation → attnum → name
};

}  // namespace

Catalog ReadPostgresCatalog(pqxx::connection_base& conn, const TableNames& own,
                            const TableNames& configured) {
  if (conn.server_version() < 140000) {
    throw Error(ErrorCode::kUsage,
                "reading the schema (drift, baseline, snapshots) needs PostgreSQL 14 or later; "
                "this server is " +
                    std::to_string(conn.server_version() / 10000) +
                    ". Set schema_drift = \"off\" for this environment");
  }
  // One snapshot for every query, as pg_dump reads; nothing written.
  pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(conn);
  std::vector<std::string> names;
  for (const QualifiedName* t : own.All()) names.push_back(t->Quoted());
  std::string oids = tx.exec_params(catalog_sql::OwnTables(names.size()),
                                    pqxx::prepare::make_dynamic_params(names))[0][0]
                         .c_str();
  // Every name the server renders (types, defaults, views) comes back schema-qualified, the
  // same whatever the connection's search_path.
  tx.exec("SET LOCAL search_path = ''");
  // Defaults and view texts with dates, intervals and floats read alike whatever the
  // session's (or PGTZ's, PGDATESTYLE's) settings.
  tx.exec(
      "SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; "
      "SET LOCAL IntervalStyle = 'postgres'; SET LOCAL extra_float_digits = 1");
  // A schema configured for migrate's tables is migrate's too (the objects in it are not).
  std::string own_schemas;
  for (const QualifiedName* t : configured.All()) {
    if (!t->schema().empty())
      own_schemas += (own_schemas.empty() ? "" : ", ") + tx.quote(t->schema());
  }
  own_schemas = "ARRAY[" + own_schemas + "]::text[]";
  Catalog catalog = Reader(tx, "'{" + oids + "}'::oid[]").Read(own_schemas);
  tx.commit();
  return catalog;
}

}  // namespace migrate::postgres
