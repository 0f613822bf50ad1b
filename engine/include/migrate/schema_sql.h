// SQL for planned schema changes (schema_change.h), one dialect at a time: what `migrate diff`
// writes into migration files and `migrate inspect` into schema/ (docs/design.md §16). Pure
// text, no connection. Every name is written schema-qualified and quoted only when it must
// be, one statement per change (a few for SQLite's table rebuild), each ending in ";\n".
// PostgreSQL output takes the safe form on tables that exist already: an index is built
// CONCURRENTLY in a migration of its own (`-- migrate:no-transaction`), a foreign key or
// check is added NOT VALID and validated by a second statement, and files that lock an
// existing table set `-- migrate:lock-timeout`. A step that loses data is preceded by a
// comment saying what it loses.
#ifndef MIGRATE_SCHEMA_SQL_H_
#define MIGRATE_SCHEMA_SQL_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "migrate/dialect.h"
#include "migrate/schema_change.h"

namespace migrate {

// The statements of `changes` in `dialect` (PostgreSQL or SQLite), in order, each preceded
// by its destructive-step comment when it has one. `concurrently`: an index on an existing
// PostgreSQL table is built (or dropped) CONCURRENTLY, and a UNIQUE constraint added to one
// is its index built CONCURRENTLY, then attached (ADD CONSTRAINT ... USING INDEX). Throws
// Error(kUsage) for a change the dialect cannot say (an aggregate, a foreign table), naming it.
std::string RenderChanges(const std::vector<SchemaChange>& changes, const Dialect& dialect,
                          bool concurrently = false);

// One migration that `migrate diff` writes: its up and down files, and the slug suffix of the
// second migration of a diff (the concurrent index builds), empty for the first.
struct GeneratedMigration {
  std::string suffix;
  std::string up;
  std::string down;
};

// The migrations of a diff: `up` turns the replayed state into the declared one and `down`
// (planned the other way) turns it back. PostgreSQL indexes on existing tables go into a
// second migration, run outside a transaction; its down drops them first. `title` is the
// header's description ("migrate diff add_orders").
std::vector<GeneratedMigration> RenderMigrations(const std::vector<SchemaChange>& up,
                                                 const std::vector<SchemaChange>& down,
                                                 const Dialect& dialect, const std::string& title);

// `catalog` as CREATE statements for schema/: one file per table (its indexes, constraints,
// triggers, policies and comments with it) and one per other kind of object (schemas,
// extensions, types, sequences, functions, views), named so that their order is the order
// they can be created in: "001_schemas.sql", "100_public.orders.sql"... Empty kinds have no
// file.
std::vector<std::pair<std::string, std::string>> RenderSchemaFiles(const Catalog& catalog,
                                                                   const Dialect& dialect);

}  // namespace migrate

#endif  // MIGRATE_SCHEMA_SQL_H_
