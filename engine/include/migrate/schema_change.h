// What turns one catalog into another, as a list of typed changes in the order they must run
// (docs/design.md §16), after Atlas's `schema.Change`: "create table", "add column", "add
// constraint"... each carrying the catalog parts it needs. PlanSchemaChanges decides (pure,
// no SQL); schema_sql.h renders a list as one dialect's statements. Guarantees:
//   - dependencies are respected: a view or trigger is dropped before what it reads changes
//     and created after; a table is created before the foreign keys that reference it; an
//     object is dropped only after what depends on it;
//   - a table or column is renamed only when asked (`PlanOptions::renames`); otherwise a name
//     that is gone is a drop and a new name an add; on PostgreSQL a constraint, index or
//     serial column's sequence alike but for its name is renamed, not rebuilt;
//   - what the dialect cannot alter in place is said as a whole (SQLite: kRebuildTable);
//   - a change that cannot be made without losing what a reader needs is refused with
//     Error(kUsage) and an explanation (an enum value removed, unless asked to rebuild the
//     type).
#ifndef MIGRATE_SCHEMA_CHANGE_H_
#define MIGRATE_SCHEMA_CHANGE_H_

#include <string>
#include <string_view>
#include <vector>

#include "migrate/catalog.h"
#include "migrate/dialect.h"

namespace migrate {

struct SchemaChange {
  enum class Kind {
    kCreateSchema,
    kDropSchema,
    kCreateExtension,
    kDropExtension,
    kCreateType,
    kDropType,
    kRenameType,    // `type` under `new_name` (an enum being rebuilt)
    kAddEnumValue,  // `value` into `type`, placed by `before`/`after`
    kCreateSequence,
    kDropSequence,
    kAlterSequence,   // `sequence` becomes `sequence_to`
    kRenameSequence,  // `sequence` to `new_name`
    kSequenceOwner,   // `sequence`'s OWNED BY, after the tables exist
    kCreateTable,     // `table`, without its foreign keys, indexes, triggers, policies
    kDropTable,
    kRenameTable,   // `table` (its old name) to `new_name`
    kRebuildTable,  // SQLite: `table` (before) becomes `table_to` by copying its rows
    kAlterTable,    // options, row security, replica identity: `table` becomes `table_to`
    kAddColumn,
    kDropColumn,
    kAlterColumn,  // `column` becomes `column_to`
    kRenameColumn,
    kAddConstraint,
    kRenameConstraint,    // `constraint` of the table to `new_name`
    kValidateConstraint,  // after an add NOT VALID on an existing table
    kDropConstraint,
    kCreateIndex,
    kDropIndex,
    kRenameIndex,  // `index` to `new_name`
    kAttachIndex,  // the partition's index `new_name` ("schema.name") to `index` of the table
    kCreateView,
    kDropView,
    kCreateFunction,
    kReplaceFunction,
    kDropFunction,
    kCreateTrigger,
    kDropTrigger,
    kCreatePolicy,
    kDropPolicy,
    kComment,  // `comment_on` (e.g. "COLUMN public.t.c") gets `comment` ("" removes it)
  };
  Kind kind = Kind::kCreateTable;
  // The table (or view) the change is on or of, as the catalog names it.
  std::string schema;
  std::string owner;
  // On a table that exists before the migration and holds rows: the change takes the safe
  // form (an index CONCURRENTLY in a migration of its own, a constraint NOT VALID then
  // validated).
  bool existing = false;
  // kCreateIndex on an existing partitioned table: built ON ONLY the table, then `attached`
  // ones, each `index` made on one partition (its `schema`, `owner`, `table.kind`) under the
  // name `new_name`, and attached by a kAttachIndex; dropping the first drops them all.
  bool attached = false;
  // Loses data: a reviewer must see it. `loses` says what ("the rows of public.orders").
  std::string loses;

  CatalogTable table, table_to;
  CatalogColumn column, column_to;
  CatalogConstraint constraint;
  CatalogIndex index;
  CatalogView view;
  CatalogFunction function;
  CatalogTrigger trigger;
  CatalogPolicy policy;
  CatalogType type;
  CatalogSequence sequence, sequence_to;
  CatalogSchema schema_object;
  CatalogExtension extension;
  std::string value, before, after;  // kAddEnumValue
  std::string new_name;              // renames
  std::string comment_on, comment;   // kComment
  // kAlterColumn on an enum rebuilt (PlanOptions::enums = kRebuild): the USING cast.
  std::string using_expression;
  // kRebuildTable: column of `table_to` → the column of `table` its rows come from.
  std::vector<std::pair<std::string, std::string>> copied;
};

// How pg_get_indexdef writes a partitioned table's index: "CREATE INDEX i ON ONLY t ...".
inline constexpr std::string_view kOnOnly = " ON ONLY ";
inline bool OfPartitionedTable(const CatalogIndex& index) {
  return index.sql.find(kOnOnly) != std::string::npos;
}

struct PlanOptions {
  std::string dialect = "postgres";  // "postgres" or "sqlite"
  // `old=new`: a table (`t=u`, or `schema.t=u`) or a column (`t.c=d`) renamed, not dropped
  // and added. A name that matches nothing is refused.
  std::vector<std::string> renames;
  // An enum value that is gone: refused (the up of a diff), or the type rebuilt without it
  // (the down that undoes an added value; it fails when a row still holds the value).
  enum class EnumRemoval { kRefuse, kRebuild };
  EnumRemoval enums = EnumRemoval::kRefuse;
  // The PostgreSQL server the written files are for (postgres_version): where they are
  // checked, a statement newer than the grammar is left to the server (docs/design.md §2).
  int postgres_version = kDefaultPostgresVersion;
};

// The changes that turn `from` into `to`, in the order they run. Empty when the catalogs
// describe alike. Throws Error(kUsage) for a rename that names nothing, or a change that
// cannot be planned, with what to do instead.
std::vector<SchemaChange> PlanSchemaChanges(const Catalog& from, const Catalog& to,
                                            const PlanOptions& options);

// The renames of `options` the other way round (`new=old`), for the down of a diff.
// On PostgreSQL (`dialect`) an unquoted part is read in lower case, as the server reads it.
std::vector<std::string> ReversedRenames(const std::vector<std::string>& renames,
                                         const std::string& dialect);

}  // namespace migrate

#endif  // MIGRATE_SCHEMA_CHANGE_H_
