// The planner's shared parts: name lookups and the ordered lists a plan is assembled from
// (schema_plan.cc for schemas, types, views, functions; schema_plan_tables.cc for tables).
#ifndef MIGRATE_SCHEMA_PLAN_INTERNAL_H_
#define MIGRATE_SCHEMA_PLAN_INTERNAL_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "migrate/schema_change.h"

namespace migrate::plan {

using Kind = SchemaChange::Kind;

// "schema.name" (or "name" on SQLite) for lookups; SQLite names compare without case.
std::string Key(const std::string& schema, const std::string& name, bool fold_case);

// Whether `text` mentions `name` as an identifier (not inside a longer one).
bool Mentions(const std::string& text, const std::string& name);

// The phases of a plan, in the order they run.
enum Phase {
  kCreateNamespaces,  // schemas, extensions
  kCreateTypes,       // types, enum values, sequences
  kEarlyFunctions,    // functions tables may call (defaults, checks)
  kDropDependents,    // triggers, views, policies, foreign keys
  kDropParts,         // indexes, constraints
  kRenames,
  kDropTables,
  kCreateTables,
  kAlterTables,
  kAddConstraints,
  kAddForeignKeys,
  kCreateIndexes,
  kLateFunctions,  // functions of a table's row type
  kCreateViews,
  kCreateTriggers,
  kComments,
  kDropObjects,  // functions, types, sequences, extensions, schemas
  kPhases,
};

struct Plan {
  std::vector<SchemaChange> phases[kPhases];
  // Tables whose changes make the views that read them be dropped and created again.
  std::set<std::string> touched;
  // Tables created by this plan, by key.
  std::set<std::string> created;
  // Columns moved to a rebuilt enum ("schema.table.column"), defaults set as `to` says.
  std::set<std::string> moved;

  SchemaChange& Add(Phase phase, Kind kind, const std::string& schema, const std::string& owner) {
    SchemaChange c;
    c.kind = kind;
    c.schema = schema;
    c.owner = owner;
    phases[phase].push_back(std::move(c));
    return phases[phase].back();
  }
};

// Tables, their parts and their renames: appends to `plan` what turns `from`'s tables into
// `to`'s. `from` has had the renames applied already.
void PlanTables(const Catalog& from, const Catalog& to, const PlanOptions& options, Plan& plan);

// Applies `renames` to a copy of `from` and adds the rename changes to `plan`.
Catalog ApplyRenames(const Catalog& from, const std::vector<std::string>& renames, bool fold_case,
                     Plan& plan);

}  // namespace migrate::plan

#endif  // MIGRATE_SCHEMA_PLAN_INTERNAL_H_
