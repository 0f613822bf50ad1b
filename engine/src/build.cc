#include "migrate/build.h"

#include "migrate/rehearsal.h"
#include "migrate/review.h"

namespace migrate {

BuildInputs MakeBuildInputs(const Config& config) {
  return {ResolveSources(config), EffectiveDialects(config), MakeLintSettings(config),
          BuildPostgresVersion(config)};
}

LoadResult ValidateSet(const BuildInputs& inputs, const BuildOptions& options,
                       const Toolchain& toolchain, std::set<std::string>* settled) {
  std::vector<const Dialect*> dialects;
  for (const std::string& name : inputs.dialects) {
    const Dialect* d = toolchain.FindDialect(name);
    if (!d) throw Error(ErrorCode::kConfig, "no dialect named '" + name + "'");
    dialects.push_back(d);
  }
  LoadResult loaded = LoadMigrationSet(inputs.sources, dialects, inputs.postgres_version);
  Diagnostics more;
  for (const Dialect* d : dialects) {
    if (!options.lint || !LintApplies(*d)) continue;
    for (Diagnostic& one : LintSet(loaded.set, *d, inputs.lint)) more.push_back(std::move(one));
  }
  if (options.rehearse && !HasErrors(loaded.diagnostics)) {
    for (const Dialect* d : dialects) {
      std::unique_ptr<Driver> scratch = toolchain.OpenScratch(d->Name());
      if (!scratch) continue;
      for (Diagnostic& one : RehearseChain(*scratch, loaded.set)) more.push_back(std::move(one));
    }
  }
  for (Diagnostic& one : more) loaded.diagnostics.push_back(std::move(one));
  std::set<std::string> old;
  if (!options.previous.empty()) old = SettledFiles(loaded.set, options.previous);
  if (options.strict) {
    // A statement newer than the grammar is what postgres_version asked for, not a finding;
    // a settled file's warnings were reviewed when it was first built.
    for (Diagnostic& one : loaded.diagnostics) {
      if (one.rule != kUncheckedSyntax && !old.count(one.where.file)) {
        one.severity = Severity::kError;
      }
    }
  }
  if (settled) *settled = std::move(old);
  return loaded;
}

BuildOutcome Build(const BuildInputs& inputs, const BuildOptions& options,
                   const Toolchain& toolchain, const std::filesystem::path& dist, BuildMode mode) {
  BuildOutcome outcome;
  outcome.loaded = ValidateSet(inputs, options, toolchain, &outcome.settled);
  outcome.failed = HasErrors(outcome.loaded.diagnostics);
  if (outcome.failed) return outcome;
  if (mode == BuildMode::kCheck) {
    outcome.stale = DiffBundle(outcome.loaded.set, dist);
  } else {
    outcome.written = WriteBundle(outcome.loaded.set, dist);
  }
  return outcome;
}

}  // namespace migrate
