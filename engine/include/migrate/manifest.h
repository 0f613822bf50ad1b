// The manifest of a bundle (`dist/migrations/manifest.toml`, docs/design.md §3): per migration its
// version, slug and source folder; per file its name, dialect, direction, SHA-256, size,
// transaction mode, timeouts and statement count. Rendering is deterministic: the same
// Manifest always gives the same bytes.
//
// Its first lines (the header) summarise the rest, so that a no-op `run` or `status` of
// 10000 migrations need not parse 10000 entries: the digest of the manifest's own bytes (an
// edited manifest is as detectable as an edited file), the digests of the folder listing
// (names and sizes; names alone), and per dialect the digest of the history a database has once
// every migration is applied. ParseManifest checks the header against the entries.
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

inline constexpr int kManifestFormat = 2;  // docs/design.md §3 says what each format holds
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

struct ManifestHeader {
  int format = kManifestFormat;
  std::string tool;
  std::string digest;   // SHA-256 of the manifest's bytes without the digest line
  std::string listing;  // ListingDigest of every file but the manifest
  // NamesDigest of the same files; empty in a bundle built before it was written (the
  // listing is checked instead).
  std::string names;
  // Dialect → CompletionDigest of every migration that has an up file for that dialect.
  std::map<std::string, std::string> complete;
};

struct Manifest {
  ManifestHeader header;
  std::vector<ManifestEntry> migrations;  // ordered by version

  // The entry for `version` (compared numerically), or nullptr.
  const ManifestEntry* Find(std::string_view version) const;
};

// Builds the manifest of a validated set. REQUIRES: the set loaded without errors.
Manifest MakeManifest(const MigrationSet& set);

// The manifest entry of one loaded migration, as MakeManifest writes it.
ManifestEntry MakeManifestEntry(const Migration& migration);

// SHA-256 over `files` (name → size in bytes) in name order.
std::string ListingDigest(const std::map<std::string, long long>& files);

// SHA-256 over the names in `files`, sorted, each ended by a NUL: what one directory read can
// check without a stat per file.
std::string NamesDigest(const std::vector<std::string>& files);

// SHA-256 over (version, slug, up checksum) of migrations in version order: computed over a
// manifest's entries for one dialect, and over a history table, it is equal exactly when
// every migration is applied, unchanged, and nothing else is.
class CompletionDigest {
 public:
  void Add(std::string_view version, std::string_view slug, std::string_view checksum);
  std::string Hex() const;

 private:
  std::string lines_;
};

// The TOML text of `manifest`, with its header (digest included) computed from the entries.
std::string RenderManifest(const Manifest& manifest);

// RenderManifest(MakeManifest(set)), without holding the whole Manifest in memory.
std::string RenderManifest(const MigrationSet& set);

// Parses and checks the header alone: cheap whatever the number of entries. Throws
// Error(kCorruptBundle) naming `path` when the text is not a manifest of a format this tool
// reads or its bytes do not match its digest.
ManifestHeader ParseManifestHeader(std::string_view text, const std::string& path);

// Parses the whole manifest. Throws Error(kCorruptBundle) like ParseManifestHeader, and when
// an entry is malformed or the header does not match the entries.
Manifest ParseManifest(std::string_view text, const std::string& path);

}  // namespace migrate

#endif  // MIGRATE_MANIFEST_H_
