#include "migrate/baseline.h"

#include "migrate/lock.h"
#include "migrate/transaction.h"
#include "run_support.h"

namespace migrate {

RunResult RunBaseline(Driver& driver, const Bundle& bundle, const std::string& version,
                      const RunOptions& options) {
  const Manifest& manifest = bundle.manifest();
  if (!manifest.Find(version)) {
    throw Error(ErrorCode::kUsage,
                "baseline " + version + ": no migration with that version in the bundle");
  }
  driver.EnsureMetadata();
  LockGuard lock(driver, MakeLockRequest(options.lease), options.lock_wait);
  if (!driver.ReadHistory().empty()) {
    throw Error(ErrorCode::kUsage,
                "the database already has migrate history: baseline adopts a database migrate "
                "has never run. See 'migrate status'");
  }
  Plan plan = PlanUp(manifest, {}, driver.GetDialect().Name(), version);
  RunResult result;
  std::vector<Step> steps;
  for (const PlannedStep& p : plan.steps) {
    Step step = MakeStep(p, "", driver.GetDialect(), {});  // nothing runs: no bytes needed
    step.record_as = HistoryState::kBaseline;
    result.steps.push_back({step.version, step.slug, Direction::kUp, 0});
    steps.push_back(std::move(step));
  }
  if (!steps.empty()) {
    StepSink& sink = driver.Steps();
    InTransaction(
        sink,
        [&] {
          for (const Step& step : steps) sink.RecordDone(step, lock.request(), 0);
        },
        steps.back());
  }
  RecordSnapshot(driver, "baseline", lock.request());
  return result;
}

std::vector<CatalogChange> CompareWithMigrations(Driver& target, Driver& scratch,
                                                 const Bundle& bundle, const std::string& version,
                                                 const std::atomic<bool>* stop) {
  RunOptions options;
  options.to = version;
  options.stop = stop;
  options.schema_drift = SchemaDriftPolicy::kOff;
  RunObserver quiet;
  RunUp(scratch, bundle, options, quiet);
  return DiffCatalogs(Describe(scratch.ReadCatalog()), Describe(target.ReadCatalog()));
}

}  // namespace migrate
