// The manifest of a bundle (`dist/migrations/manifest.toml`, DESIGN §3): per migration its
// version, slug and source folder; per file its name, dialect, direction, SHA-256, size,
// transaction mode, timeouts and statement count; and a digest over all of it, so that an
// edited manifest is as detectable as an edited file. Rendering is deterministic: the same
// Manifest always gives the same bytes.
#ifndef MIGRATE_MANIFEST_H_
#define MIGRATE_MANIFEST_H_

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migrate/migration_set.h"
#include "migrate/naming.h"

namespace migrate {

inline constexpr int kManifestFormat = 1;
inline constexpr std::string_view kManifestName = "manifest.toml";

struct ManifestFile {
  std::string name;
  std::string dialect;  // empty: every dialect
  Direction direction = Direction::kUp;
  std::string sha256;
  long long bytes = 0;
  bool transaction = true;
  bool irreversible = false;
  int statements = 0;
  std::optional<std::chrono::milliseconds> lock_timeout;
  std::optional<std::chrono::milliseconds> statement_timeout;
  std::map<std::string, std::string> fingerprints;  // dialect → token fingerprint
};

struct ManifestEntry {
  std::string version;
  std::string slug;
  std::string source;
  std::vector<ManifestFile> files;

  // The file that runs for `dialect` in `direction`: the dialect variant if there is one,
  // else the generic file, else nullptr.
  const ManifestFile* Find(Direction direction, std::string_view dialect) const;
};

struct Manifest {
  int format = kManifestFormat;
  std::string tool;
  std::string digest;
  std::vector<ManifestEntry> migrations;  // ordered by version

  // The entry for `version` (compared numerically), or nullptr.
  const ManifestEntry* Find(std::string_view version) const;
};

// Builds the manifest of a validated set. REQUIRES: the set loaded without errors.
Manifest MakeManifest(const MigrationSet& set);

// SHA-256 over every entry's fields, in order.
std::string ComputeDigest(const Manifest& manifest);

// The TOML text of `manifest`.
std::string RenderManifest(const Manifest& manifest);

// Parses manifest text. Throws Error(kCorruptBundle) naming `path` when it is not a valid
// manifest of a format this tool reads, or when its digest does not match its entries.
Manifest ParseManifest(std::string_view text, const std::string& path);

}  // namespace migrate

#endif  // MIGRATE_MANIFEST_H_
