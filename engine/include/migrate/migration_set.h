// A MigrationSet is the validated, ordered contents of one or more migration source folders
// (docs/design.md §2). LoadMigrationSet never stops at the first problem: it returns every
// diagnostic it finds (bad names, missing pairs, duplicate versions, unknown directives,
// non-UTF-8 bytes, SQL that does not split, transaction control) so a user fixes all of
// them in one round. Files that are not `.sql` are ignored; every `.sql` file is accounted for.
#ifndef MIGRATE_MIGRATION_SET_H_
#define MIGRATE_MIGRATION_SET_H_

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "migrate/dialect.h"
#include "migrate/directives.h"
#include "migrate/error.h"
#include "migrate/naming.h"

namespace migrate {

struct SourceFile {
  std::string name;     // file name, no folder
  std::string version;  // as written in the name
  std::string slug;
  std::string path;     // the path as the user should see it in messages
  std::string source;   // the source folder it came from, as configured
  std::string dialect;  // empty for a generic file
  Direction direction = Direction::kUp;
  std::string text;      // normalized bytes (NormalizeSource), what the bundle holds
  std::string checksum;  // Sha256Hex(text)
  Directives directives;
  int statements = 0;  // statements that will run (own BEGIN/COMMIT excluded)
  std::map<std::string, std::string> fingerprints;  // dialect → Dialect::Fingerprint
};

struct Migration {
  std::string version;
  std::string slug;
  std::vector<SourceFile> files;  // sorted by name
};

// The file of `m` that runs for `dialect` in `direction`: the dialect variant if there is
// one, else the generic file, else nullptr.
const SourceFile* FindFile(const Migration& m, Direction direction, std::string_view dialect);

struct MigrationSet {
  std::vector<Migration> migrations;  // ordered by version
};

struct LoadResult {
  MigrationSet set;
  Diagnostics diagnostics;
};

// A source folder as configured ("migrations") and where it is on disk.
struct SourceDir {
  std::string label;
  std::filesystem::path path;
};

// Reads and validates every source folder. `dialects` are the dialects to validate for:
// each migration needs an up (and, unless irreversible, a down) for each of them, and each
// file is split with the dialects it applies to. A missing folder is a diagnostic.
// `postgres_version`: the PostgreSQL server the files are for (PrepareSql's target version).
LoadResult LoadMigrationSet(const std::vector<SourceDir>& dirs,
                            const std::vector<const Dialect*>& dialects,
                            int postgres_version = kDefaultPostgresVersion);

}  // namespace migrate

#endif  // MIGRATE_MIGRATION_SET_H_
