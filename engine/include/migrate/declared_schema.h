// The declared schema (`schema/`, docs/design.md §16): plain CREATE statements in files of
// any order, with `<name>.postgres.sql` / `<name>.sqlite.sql` variants as for migrations. This
// is what `migrate diff` compares the migrations with: both are replayed into scratch
// databases (empty, used by nobody else), their catalogs read and planned against each other
// (schema_change.h), and the migration written (schema_sql.h) is itself applied to the
// replayed state and checked to reach the declared one, and its down to come back.
#ifndef MIGRATE_DECLARED_SCHEMA_H_
#define MIGRATE_DECLARED_SCHEMA_H_

#include <atomic>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "migrate/catalog_diff.h"
#include "migrate/driver.h"
#include "migrate/migration_set.h"
#include "migrate/schema_change.h"
#include "migrate/schema_sql.h"

namespace migrate {

struct SchemaFile {
  std::string path;  // as shown in messages
  std::string text;
};

// The files of `dir` for `dialect`, by name: `x.sql` unless `x.<dialect>.sql` exists, never
// another dialect's variant, each shown in messages as `shown_as`/name (the folder as the
// project names it), or by its full path when `shown_as` is empty. Throws Error(kConfig) when
// `dir` is missing, Error(kIo) when a file cannot be read.
std::vector<SchemaFile> LoadSchemaFiles(const std::filesystem::path& dir, std::string_view dialect,
                                        const std::string& shown_as = "");

// Runs every statement of `files` on `scratch`, in passes: a statement that fails because
// what it needs comes later is tried again after the others, until every one ran (a file
// with `-- migrate:no-transaction` runs statement by statement from the start). Throws
// Error(kValidation) at the file:line of a statement that cannot be split or never runs (one
// the database cannot parse first), its message naming that file:line and what to do; `stop`,
// when set, stops with Error(kInterrupted). `postgres_version`: the server the files are for
// (a statement newer than the grammar is left for the server to check, §2). Returns the
// catalog.
Catalog ReplaySchema(Driver& scratch, const std::vector<SchemaFile>& files,
                     int postgres_version = kDefaultPostgresVersion,
                     const std::atomic<bool>* stop = nullptr);

// Applies the up file of every migration of `set` for `scratch`'s dialect, in order. Throws
// Error(kMigrationFailed) at the failing file's line; `stop`, when set, stops between them
// with Error(kInterrupted). Returns the catalog.
Catalog ReplayMigrations(Driver& scratch, const MigrationSet& set,
                         int postgres_version = kDefaultPostgresVersion,
                         const std::atomic<bool>* stop = nullptr);

// What `migrate diff` found and wrote.
struct SchemaDiff {
  std::vector<SchemaChange> up;    // replayed -> declared
  std::vector<SchemaChange> down;  // declared -> replayed
  std::vector<GeneratedMigration> migrations;
  // After the generated ups ran on the replayed state: how it still differs from the
  // declared schema; after the downs: from the replayed state. Empty when exact.
  std::vector<CatalogChange> up_misses;
  std::vector<CatalogChange> down_misses;
  // Tables whose column order differs only because a column was added at the end, where
  // PostgreSQL adds every column (the declared order, or the order before a drop, cannot be
  // had without rebuilding the table); left out of the misses.
  std::vector<std::string> reordered;
};

// Plans and renders the migrations that turn `current` (the replayed migrations) into
// `declared`, then applies them on `scratch` (which holds `current`) to check them: the ups
// in order, then the downs in reverse. Throws Error(kUsage) for a change it cannot plan, and
// Error(kMigrationFailed) when a generated file fails on the scratch database.
SchemaDiff DiffDeclared(const Catalog& current, const Catalog& declared, Driver& scratch,
                        const PlanOptions& options, const std::string& title);

}  // namespace migrate

#endif  // MIGRATE_DECLARED_SCHEMA_H_
