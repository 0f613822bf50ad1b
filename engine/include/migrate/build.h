// The build pipeline (docs/design.md §6), beside the run pipeline of runner.h:
//   load → validate → lint → rehearse → write (or check).
// Every stage adds diagnostics instead of stopping, so one build shows every problem of the
// set; the bundle is written only when there is no error, and then atomically. `migrate
// build` runs it whole, the fixture tests run its validation, and `migrate plan` uses its
// lint stage on the steps it shows.
#ifndef MIGRATE_BUILD_H_
#define MIGRATE_BUILD_H_

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "migrate/bundle.h"
#include "migrate/config.h"
#include "migrate/driver.h"
#include "migrate/lint.h"
#include "migrate/migration_set.h"

namespace migrate {

// What a build needs that the engine cannot make itself: the dialects (they live with their
// drivers) and scratch databases for the rehearsal. drivers/registry.h provides one.
class Toolchain {
 public:
  virtual ~Toolchain() = default;
  // The dialect named `name` ("postgres", "sqlite"), or nullptr.
  virtual const Dialect* FindDialect(std::string_view name) const = 0;
  // An empty database of `dialect` that nobody else uses, for the rehearsal (SQLite: in
  // memory); nullptr when that dialect has none.
  virtual std::unique_ptr<Driver> OpenScratch(std::string_view dialect) const = 0;
};

// What to build: the source folders, the dialects to validate for and the lint settings.
struct BuildInputs {
  std::vector<SourceDir> sources;
  std::vector<std::string> dialects;
  LintSettings lint;
  // The PostgreSQL server the files are for: above the grammar the build has, a statement it
  // rejects is a warning ("unchecked-syntax"), not an error (docs/design.md §2).
  int postgres_version = kDefaultPostgresVersion;
};

// The inputs `config` describes (ResolveSources, EffectiveDialects, MakeLintSettings,
// BuildPostgresVersion).
BuildInputs MakeBuildInputs(const Config& config);

struct BuildOptions {
  bool lint = true;      // run the lint rules when PostgreSQL is a target
  bool rehearse = true;  // rehearse the chain on a scratch SQLite database when it is a target
  bool strict = false;   // every warning is an error, but kUncheckedSyntax
  // The previous bundle (dist): the files it holds unchanged are settled (review.h), and
  // --strict leaves their warnings warnings. Empty: every file is new.
  std::filesystem::path previous;
};

// Load, validate, lint and rehearse: the set and every diagnostic, errors first found first.
// The rehearsal runs only when nothing before it failed. Throws Error(kConfig) for a dialect
// the toolchain does not know. `settled`, when given, receives SettledFiles of
// options.previous.
LoadResult ValidateSet(const BuildInputs& inputs, const BuildOptions& options,
                       const Toolchain& toolchain, std::set<std::string>* settled = nullptr);

enum class BuildMode {
  kWrite,  // write the bundle into dist
  kCheck,  // write nothing; say how dist differs from the bundle the sources give
};

struct BuildOutcome {
  LoadResult loaded;               // the set and its diagnostics
  std::set<std::string> settled;   // files the previous bundle held unchanged (review.h)
  bool failed = false;             // an error was found: nothing was written
  BundleWrite written;             // kWrite
  std::vector<std::string> stale;  // kCheck: one line per difference; empty when up to date
};

// The whole pipeline. Writes the bundle atomically only when no error was found; `dist` is
// otherwise left exactly as it was. Throws Error(kIo) when writing fails (dist unchanged).
BuildOutcome Build(const BuildInputs& inputs, const BuildOptions& options,
                   const Toolchain& toolchain, const std::filesystem::path& dist, BuildMode mode);

}  // namespace migrate

#endif  // MIGRATE_BUILD_H_
