// The catalog: a normalized description of the schema objects a migration set manages, read
// from a live database by its driver (Driver::ReadCatalog) and compared by the engine
// (catalog_diff.h). Plain data, no database code (docs/design.md §11):
//   - objects are identified by name, never by OID; functions by name and argument types;
//   - every value is text as the database itself renders it (format_type, pg_get_expr,
//     pg_get_constraintdef, SQLite's declared types), so that two databases built by the
//     same migrations describe alike;
//   - migrate's own tables, system objects and extension members are left out.
// Describe flattens a Catalog into CatalogObjects, one per line of the canonical text: the
// same schema always gives the same bytes, whatever order it was created in.
#ifndef MIGRATE_CATALOG_H_
#define MIGRATE_CATALOG_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace migrate {

struct CatalogColumn {
  std::string name;
  int position = 0;  // 1-based among the table's live columns: column order counts
  std::string type;  // as the database formats it
  bool not_null = false;
  std::string default_value;     // expression text; empty when none
  std::string identity;          // PostgreSQL: "always" or "by default"
  std::string generated;         // generation expression (SQLite: prefixed "stored " or "virtual ")
  std::string collation;         // only when not the type's default
  std::string identity_options;  // PostgreSQL identity sequence: "start=1 increment=1 ..."
  bool autoincrement = false;    // SQLite INTEGER PRIMARY KEY AUTOINCREMENT
  std::string comment;
};

struct CatalogConstraint {
  std::string name;  // SQLite's unnamed ones: a name made of what they say
  std::string type;  // "primary key", "unique", "check", "exclusion", "foreign key"
  std::vector<std::string> columns;
  std::string definition;  // check and exclusion: the database's text
  // Foreign keys.
  std::string references;  // parent table
  std::vector<std::string> ref_columns;
  std::string on_update;  // "no action", "restrict", "cascade", "set null", "set default"
  std::string on_delete;
  std::string match;  // "" (simple), "full", "partial"
  bool deferrable = false;
  bool initially_deferred = false;
  bool valid = true;  // false: NOT VALID
  std::string comment;
  bool operator==(const CatalogConstraint&) const = default;
};

struct CatalogIndex {
  std::string name;
  bool unique = false;
  std::string method;     // "btree", "gin"...; empty on SQLite
  std::string keys;       // "(total DESC, lower(email))": columns and expressions, as written
  std::string include;    // "(id)": INCLUDE columns
  std::string predicate;  // partial index: the WHERE expression
  std::string options;    // what else the definition says: NULLS NOT DISTINCT, WITH (...)
  bool valid = true;      // false: a CREATE INDEX CONCURRENTLY that failed
  std::string comment;
  // The CREATE INDEX statement as the database gives it (pg_get_indexdef; SQLite's stored
  // text). Not described: what it says is in the fields above.
  std::string sql;
  bool operator==(const CatalogIndex&) const = default;
};

struct CatalogTrigger {
  std::string name;
  std::string definition;  // the database's CREATE TRIGGER text
  std::string fires;       // "" (enabled), "disabled", "replica" or "always" (ENABLE ...)
};

// A row-level security policy (PostgreSQL).
struct CatalogPolicy {
  std::string name;
  std::string command;  // "all", "select", "insert", "update", "delete"
  bool permissive = true;
  std::string roles;  // "public" or role names, sorted
  std::string using_expression;
  std::string check_expression;
  bool operator==(const CatalogPolicy&) const = default;
};

struct CatalogTable {
  std::string schema;  // empty on SQLite
  std::string name;
  std::string kind;  // "table", "partitioned table", "foreign table", "unlogged table"
  std::string partition_key;
  std::string partition_of;  // parent table of a partition
  std::string partition_bound;
  std::vector<std::string> inherits;  // INHERITS parents (not a partition's), in order
  std::string options;                // storage parameters: "fillfactor=70, ..."
  std::string row_security;           // "", "enabled" or "forced"
  std::string replica_identity;       // "" (default), "full", "nothing" or "index"
  bool without_rowid = false;         // SQLite
  bool strict = false;                // SQLite
  std::string virtual_module;         // SQLite virtual table: "fts5(...)" as declared
  std::string comment;
  // SQLite: the CREATE TABLE text as stored, which alone says CHECK constraints and
  // generation expressions; PostgreSQL: empty. Not described.
  std::string sql;
  std::vector<CatalogColumn> columns;  // by position
  std::vector<CatalogConstraint> constraints;
  std::vector<CatalogIndex> indexes;
  std::vector<CatalogTrigger> triggers;
  std::vector<CatalogPolicy> policies;
};

struct CatalogView {
  std::string schema;
  std::string name;
  bool materialized = false;
  std::string definition;
  std::string options;    // "security_invoker=true, check_option=local"
  bool populated = true;  // materialized views: false after WITH NO DATA
  std::string comment;
  std::vector<CatalogIndex> indexes;  // materialized views
  std::vector<CatalogTrigger> triggers;
};

struct CatalogSequence {
  std::string schema;
  std::string name;
  std::string type;
  std::string start, increment, min, max, cache;
  bool cycle = false;
  std::string owned_by;  // table.column of a serial column
  std::string comment;
  bool operator==(const CatalogSequence&) const = default;
};

struct CatalogFunction {
  std::string schema;
  std::string name;
  std::string arguments;  // identity arguments: "integer, text"
  std::string kind;       // "function", "procedure", "aggregate", "window"
  std::string returns;
  std::string language;
  std::string volatility;  // "immutable", "stable", "volatile"
  bool strict = false;
  bool security_definer = false;
  std::string config;     // SET clauses
  std::string parallel;   // "safe" or "restricted"; "" for unsafe, the default
  std::string cost;       // when not the language's default (1 for C, 100 otherwise)
  std::string rows;       // set-returning functions, when not 1000
  std::string body_hash;  // SHA-256 of the body as stored
  std::string comment;
  // The CREATE OR REPLACE statement as the database gives it (pg_get_functiondef; empty for
  // an aggregate). Not described: the body is by its hash.
  std::string sql;
};

struct CatalogType {
  std::string schema;
  std::string name;
  std::string kind;                 // "enum", "domain", "composite", "range"
  std::vector<std::string> values;  // enum labels, in order
  std::string base_type;            // domain; range: its subtype
  bool not_null = false;            // domain
  std::string default_value;        // domain
  std::vector<std::string> checks;  // domain CHECK definitions, sorted
  std::string definition;           // composite: its attributes
  std::string comment;
};

struct CatalogExtension {
  std::string name;
  std::string version;
  std::string schema;
};

struct CatalogSchema {
  std::string name;
  std::string comment;
};

struct Catalog {
  std::vector<CatalogSchema> schemas;
  std::vector<CatalogExtension> extensions;
  std::vector<CatalogType> types;
  std::vector<CatalogSequence> sequences;
  std::vector<CatalogTable> tables;
  std::vector<CatalogView> views;
  std::vector<CatalogFunction> functions;
};

// One object as the canonical text shows it: a kind, a qualified name and its attributes in a
// fixed order; attributes with an empty value are absent, true flags have the value "true".
struct CatalogObject {
  std::string kind;  // "table", "column", "constraint", "index", "trigger", "view", ...
  // Its qualified name, parts joined by '.', each part double-quoted when it is not a plain
  // lower-case identifier: `public.orders.total`, `public."Order Items".id`; functions end in
  // their argument types: `public.add(integer, integer)`. SQLite names have no schema part.
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;

  const std::string* Find(std::string_view attribute) const;
  // Whether this is a column, constraint, index, trigger or policy of `owner` (a table or a
  // view).
  bool IsPartOf(const CatalogObject& owner) const;
  bool operator==(const CatalogObject&) const = default;
};

// `part` as one part of a CatalogObject name: as it is when it is a plain lower-case
// identifier, else in double quotes with inner quotes doubled.
std::string NamePart(std::string_view part);

// `schema.name` as a CatalogObject names a schema's object (NamePart each; `name` alone
// without a schema, as on SQLite).
std::string ObjectName(const std::string& schema, const std::string& name);

// Every object of `catalog` in canonical order: schemas, extensions, types, sequences, each
// table followed by its columns (by position), constraints, indexes, triggers and policies
// (by name),
// views, functions; objects of one kind sorted by name.
std::vector<CatalogObject> Describe(const Catalog& catalog);

// The canonical text: one object per line, `kind name key=value...`, a value written bare
// when it is a plain word and as a JSON string otherwise. Stable across runs and creation
// order; its SHA-256 identifies a schema.
std::string RenderCanonical(const std::vector<CatalogObject>& objects);

// The objects of a canonical text. Throws Error(kDrift) naming the line when `text` is not one
// (a snapshot row edited by hand).
std::vector<CatalogObject> ParseCanonical(std::string_view text);

// The objects as JSON: [{"kind", "name", "attributes": {...}}...], for `--json`.
std::string RenderCatalogJson(const std::vector<CatalogObject>& objects);

}  // namespace migrate

#endif  // MIGRATE_CATALOG_H_
