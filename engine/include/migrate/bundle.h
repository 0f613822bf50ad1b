// The bundle is `dist/migrations/`: every migration file exactly as it will run, plus
// manifest.toml (docs/design.md §3). WriteBundle publishes it atomically (temporary folder, fsync,
// rename), so a reader sees the old bundle or the new one, never a mix. Bundle::Open verifies
// a bundle before anything is read from or written to a database: no file added or missing,
// no symlink, no name with a path in it, and (as Verify says) no file changed.
#ifndef MIGRATE_BUNDLE_H_
#define MIGRATE_BUNDLE_H_

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "migrate/manifest.h"
#include "migrate/migration_set.h"

namespace migrate {

// The bundle of `set`: the manifest's text, and every file by name (manifest.toml
// included) with its exact bytes, viewed in `set` or in `manifest`.
struct RenderedBundle {
  std::string manifest;
  std::map<std::string, std::string_view> files;
};
RenderedBundle RenderBundle(const MigrationSet& set);

struct BundleWrite {
  bool unchanged = false;   // `dist` already held exactly this bundle: nothing was written
  std::size_t written = 0;  // files written
  std::size_t linked = 0;   // files hard-linked from the previous bundle, byte-identical
};

// Writes the bundle of `set` to `dist`, replacing what was there in one atomic step. Files
// the previous bundle holds byte for byte are hard-linked into the new one instead of
// written again (one rebuild after adding a migration creates two files, not 20000); when
// every file is the same nothing is written at all. Throws Error(kIo) when a write fails;
// `dist` is then left as it was.
BundleWrite WriteBundle(const MigrationSet& set, const std::filesystem::path& dist);

// How `dist` differs from the bundle `set` would give, one line per difference; empty when
// it is up to date. For `build --check`.
std::vector<std::string> DiffBundle(const MigrationSet& set, const std::filesystem::path& dist);

class Bundle {
 public:
  // How much Open checks. Every mode checks the manifest's digest and every name (no path,
  // no symlink, nothing missing or unlisted). kListing also checks every size, kEveryFile
  // also hashes every file. kNames reads the folder once and stats nothing (docs/design.md
  // §3): what a no-op run and a status need, since they run no file; a file's bytes are
  // checked when it is about to run (Read, VerifyFiles). kListing compares the folder with
  // the manifest's header alone: neither kNames nor kListing reads 20000 files or parses
  // 10000 manifest entries.
  enum class Verify { kNames, kListing, kEveryFile };

  // Reads and verifies the bundle in `dist`. Throws Error(kCorruptBundle) naming the first
  // problem found and saying to rebuild.
  static Bundle Open(const std::filesystem::path& dist, Verify verify = Verify::kEveryFile);

  const ManifestHeader& header() const { return header_; }

  // The entries, read and parsed on first use (not thread-safe). Throws
  // Error(kCorruptBundle) when they do not match the header, or the manifest changed since
  // Open.
  const Manifest& manifest() const;

  const std::filesystem::path& path() const { return path_; }

  // The bytes of `file`, checked again against the manifest's SHA-256.
  // Throws Error(kCorruptBundle) when the file changed since Open.
  std::string Read(const ManifestFile& file) const;

  // Hashes each of `files`. Throws Error(kCorruptBundle) at the first that changed.
  void VerifyFiles(const std::vector<const ManifestFile*>& files) const;

 private:
  Bundle(std::filesystem::path path, ManifestHeader header)
      : path_(std::move(path)), header_(std::move(header)) {}

  std::filesystem::path path_;
  ManifestHeader header_;
  mutable std::optional<Manifest> manifest_;
};

}  // namespace migrate

#endif  // MIGRATE_BUNDLE_H_
