// `migrate import --from TOOL DIR` (docs/design.md §15): turns another tool's migration folder
// into this layout — `<version>_<slug>.up.sql` and `.down.sql`, options as `-- migrate:`
// directives — so a team switches without rewriting its history. Pure text conversion: the
// files are given and returned by name, nothing is read or written here. What cannot be
// converted faithfully (Go or Java migrations, TypeORM code that builds its SQL, Flyway's
// repeatable migrations) is reported for conversion by hand, never guessed.
#ifndef MIGRATE_IMPORT_H_
#define MIGRATE_IMPORT_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migrate/error.h"

namespace migrate {

enum class ImportSource { kGolangMigrate, kDbmate, kGoose, kFlyway, kTypeorm };

// The tool named `name` ("golang-migrate", "dbmate", "goose", "flyway", "typeorm"), or nullopt.
std::optional<ImportSource> ImportSourceNamed(std::string_view name);
// The tool's name as ImportSourceNamed reads it.
std::string_view ImportSourceName(ImportSource source);
// "golang-migrate, dbmate, goose, flyway, typeorm" for a message.
std::string ImportSourceNames();

struct ImportResult {
  std::map<std::string, std::string> files;  // file name in this layout → its text
  // Each file of the tool's folder left out or only partly converted, and why (warnings);
  // errors for files that claim to be migrations but cannot be read as one.
  Diagnostics notes;
  // The tool's version → this layout's version, for the tool's history table (Flyway's dotted
  // versions become digits; the others keep theirs).
  std::map<std::string, std::string> versions;
};

// Converts the files of one folder (file name → bytes; names without folders).
ImportResult ConvertMigrations(ImportSource source, const std::map<std::string, std::string>& in,
                               const std::string& folder_label);

}  // namespace migrate

#endif  // MIGRATE_IMPORT_H_
