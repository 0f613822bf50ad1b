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

// The item of `items` called `name` (without case with `fold`, as SQLite compares); null when
// there is none.
template <typename T>
const T* Named(const std::vector<T>& items, const std::string& name, bool fold) {
  for (const T& item : items) {
    if (fold ? Key("", item.name, true) == Key("", name, true) : item.name == name) return &item;
  }
  return nullptr;
}

// The table `schema`.`name` of `catalog`; null when there is none.
const CatalogTable* FindTable(const Catalog& catalog, const std::string& schema,
                              const std::string& name);

// Whether `text` mentions `name` as an identifier (not inside a longer one).
bool Mentions(const std::string& text, const std::string& name);

// Whether two columns (constraints) of the same name say the same.
bool SameColumn(const CatalogColumn& a, const CatalogColumn& b);
bool SameConstraint(const CatalogConstraint& a, const CatalogConstraint& b);

// SQLite: whether `from` becomes `to` only by the twelve-step rebuild (ALTER TABLE adds a
// column with a literal default at the end, and renames; nothing else).
bool NeedsRebuild(const CatalogTable& from, const CatalogTable& to);

// `text` with `from` as an identifier replaced by `to` (index keys, predicates, defaults).
std::string ReplaceWord(const std::string& text, const std::string& from, const std::string& to);

// The phases of a plan, in the order they run.
enum Phase {
  kCreateNamespaces,  // schemas, extensions
  kRenames,           // first: every later change names what it changes by its new name
  kCreateTypes,       // types, enum values, sequences
  kEarlyFunctions,    // functions tables may call (defaults, checks), or on a rebuilt enum
  kDropDependents,    // triggers, views, policies, foreign keys
  kDropParts,         // indexes, constraints, functions made again (after their views)
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
  kDropFunctions,   // functions, which may name the types below
  kDropTypes,       // domains, composites, ranges (which may be of an enum)
  kDropEnums,       // enums, sequences
  kDropNamespaces,  // extensions, then schemas
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
  // Enum types rebuilt ("schema.name" as ObjectName says it): what names them is made again
  // on the new type.
  std::set<std::string> rebuilt;
  // Functions dropped and made again (bare names): the views that call them are too.
  std::set<std::string> functions_redone;

  SchemaChange& Add(Phase phase, Kind kind, const std::string& schema, const std::string& owner) {
    SchemaChange c;
    c.kind = kind;
    c.schema = schema;
    c.owner = owner;
    phases[phase].push_back(std::move(c));
    return phases[phase].back();
  }
};

// SQLite: the triggers of tables that stay alike whose bodies read a table this plan rebuilds,
// dropped before and made again after (the rebuild's rename refuses a trigger that names a
// table missing for a moment).
void RedoTriggersReadingRebuilt(const Catalog& from, const Catalog& to, Plan& plan);

// Whether `child` is a partition of `parent` or inherits from it.
bool ChildOf(const CatalogTable& child, const CatalogTable& parent);

// `tables` ordered so that a partition or an inheriting table comes after its parents.
std::vector<const CatalogTable*> ParentsFirst(std::vector<const CatalogTable*> tables);

// PostgreSQL: each index planned on an existing partitioned table (ON ONLY it) followed by
// its partitions' indexes, each built CONCURRENTLY and attached (schema_plan_partitions.cc).
void SpreadPartitionedIndexes(const Catalog& to, Plan& plan);

// PostgreSQL: the policies of tables that stay alike whose expressions read a column of
// another table whose type changes, dropped before and made again after.
void RedoPoliciesReadingRetyped(const Catalog& from, const Catalog& to, Plan& plan);

// Tables, their parts and their renames: appends to `plan` what turns `from`'s tables into
// `to`'s. `from` has had the renames applied already.
void PlanTables(const Catalog& from, const Catalog& to, const PlanOptions& options, Plan& plan);

// An enum whose values change from `a`'s to `b`'s: the values added, or (values gone or
// moved, PlanOptions::kRebuild) the type made again and its columns, the checks and indexes
// that name it moved; refused with what to do under kRefuse.
void PlanEnum(const Catalog& from, const Catalog& to, const CatalogType& a, const CatalogType& b,
              const PlanOptions& options, Plan& plan);

// The rename of table `from` to `to` in `plan` (on SQLite, a change of case only goes
// through a name of its own, as SQLite refuses a name it holds equal).
void AddTableRename(const std::string& schema, const std::string& from, const std::string& to,
                    bool fold_case, Plan& plan);

// Applies `renames` to a copy of `from` and adds the rename changes to `plan`.
Catalog ApplyRenames(const Catalog& from, const std::vector<std::string>& renames, bool fold_case,
                     Plan& plan);

// PostgreSQL: the constraints and indexes of a table, and the sequences of serial columns,
// that `to` has under another name but otherwise alike, renamed in `from` and in `plan`
// (a table's rename leaves its key's name "old_pkey" behind; a DBA renames it, not rebuilds).
void MatchRenamedParts(Catalog& from, const Catalog& to, Plan& plan);

}  // namespace migrate::plan

#endif  // MIGRATE_SCHEMA_PLAN_INTERNAL_H_
