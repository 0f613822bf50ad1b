// What another migration tool recorded as applied, read from its own history table, for
// `migrate baseline --from TOOL` (docs/design.md §15): golang-migrate's and dbmate's
// `schema_migrations`, goose's `goose_db_version`, Flyway's `flyway_schema_history` and
// TypeORM's `migrations`. Pure: the rows come in as text (Driver::ReadForeignTable), the
// versions go out in this layout's spelling (`migrate import` keeps every tool's versions but
// Flyway's, whose dotted versions are matched to the bundle's padded digits). A history that
// says a migration failed half-way (golang-migrate's dirty flag, Flyway's failed row) is
// refused: nothing is recorded from a database in an unknown state.
#ifndef MIGRATE_TOOL_HISTORY_H_
#define MIGRATE_TOOL_HISTORY_H_

#include <optional>
#include <string>
#include <vector>

#include "migrate/import.h"
#include "migrate/records.h"

namespace migrate {

// The table `source` keeps its history in by default, and the columns read from it.
struct ToolTable {
  QualifiedName table;
  std::vector<std::string> columns;
};
ToolTable ToolHistoryTable(ImportSource source);

// The versions of `bundle_versions` (this layout's, in any order) that `rows` of the tool's
// table (ToolTable's columns, in order) say are applied, sorted. `table` names the table in
// messages. Never empty: throws Error(kUsage) when the history is unusable (empty, applying
// none of the bundle's versions, a dirty or failed migration, a value that is not a version)
// and Error(kUsage) listing every applied version the bundle lacks, saying to import its file
// and build.
std::vector<std::string> ToolAppliedVersions(ImportSource source, const std::vector<TextRow>& rows,
                                             const std::vector<std::string>& bundle_versions,
                                             const std::string& table);

// Flyway's dotted versions `theirs` ("1.1", "2") as the bundle spells them, in the same
// order: `migrate import` pads each part to the widest part at its position over the folder,
// so the widths are found again as those that map the most of `theirs` onto
// `bundle_versions`. A version no widths map is returned as given (and then reported missing).
// Throws Error(kUsage) when two sets of widths map equally well but differently.
std::vector<std::string> MapFlywayVersions(const std::vector<std::string>& theirs,
                                           const std::vector<std::string>& bundle_versions);

}  // namespace migrate

#endif  // MIGRATE_TOOL_HISTORY_H_
