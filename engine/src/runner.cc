#include "migrate/runner.h"

#include <algorithm>
#include <map>

#include "interrupt.h"
#include "migrate/fault.h"
#include "migrate/lock.h"
#include "run_support.h"

namespace migrate {
namespace {

// Runs the steps of `plan` in order, adding each to `result` once it committed.
void Execute(Driver& driver, const Bundle& bundle, const Plan& plan, const RunOptions& options,
             const LockRequest& lease, RunObserver& observer, RunResult& result) {
  std::vector<std::string> kept = CheckFiles(bundle, plan);
  InterruptOnStop interrupt(driver, options.stop);
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    const PlannedStep& planned = plan.steps[i];
    StopIfAsked(options, planned, result.steps.size());
    Step step = StepOf(bundle, driver, planned, options, kept.empty() ? nullptr : &kept[i]);
    observer.OnStepStart(step);
    long long ms = 0;
    try {
      ms = driver.Apply(step, lease);
    } catch (const Error& e) {
      if (!interrupt.fired()) {
        observer.OnStepFailed(step, e);
        throw;
      }
      Error interrupted(
          ErrorCode::kInterrupted,
          "interrupted: the statement in progress of " + step.file + " was cancelled" +
              (step.transactional ? " and the migration rolled back"
                                  : "; the migration is left 'started' (see 'migrate repair')") +
              ", with " + std::to_string(result.steps.size()) +
              " migration(s) done before it; the lock is released",
          e.where());
      observer.OnStepFailed(step, interrupted);
      throw interrupted;
    }
    observer.OnStepDone(step, ms);
    result.steps.push_back({step.version, step.slug, step.direction, ms});
  }
}

// --single-transaction: the steps of `plan` in one transaction, added to `result` once it
// committed. A no-transaction step is refused before anything runs.
void ExecuteSingle(Driver& driver, const Bundle& bundle, const Plan& plan,
                   const RunOptions& options, const LockRequest& lease, RunObserver& observer,
                   RunResult& result) {
  for (const PlannedStep& p : plan.steps) {
    if (!p.file->transaction) {
      throw Error(ErrorCode::kUsage,
                  p.file->name +
                      ": '-- migrate:no-transaction' cannot run inside --single-transaction "
                      "(transaction = \"single\"); nothing was applied. Run without it, or "
                      "apply up to the migration before it first (run --to)",
                  SourceLocation{p.file->name});
    }
  }
  std::vector<std::string> kept = CheckFiles(bundle, plan);
  std::vector<Step> steps;
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    steps.push_back(
        StepOf(bundle, driver, plan.steps[i], options, kept.empty() ? nullptr : &kept[i]));
  }
  if (steps.empty()) return;
  InterruptOnStop interrupt(driver, options.stop);
  for (const Step& step : steps) observer.OnStepStart(step);
  std::vector<long long> ms;
  try {
    ms = driver.ApplyAll(steps, lease);
  } catch (const Error& e) {
    const Step* failed = &steps.back();
    for (const Step& step : steps) {
      if (step.file == e.where().file) failed = &step;
    }
    if (!interrupt.fired()) {
      observer.OnStepFailed(*failed, e);
      throw;
    }
    Error interrupted(ErrorCode::kInterrupted,
                      "interrupted: the statement in progress of " + failed->file +
                          " was cancelled and the single transaction of " +
                          std::to_string(steps.size()) +
                          " migration(s) rolled back; the lock is released",
                      e.where());
    observer.OnStepFailed(*failed, interrupted);
    throw interrupted;
  }
  // A driver that sent them together timed each on the server: its history says how long.
  std::map<std::string, long long> timed;
  try {
    for (const HistoryRow& row : driver.ReadHistory()) timed[row.version] = row.duration_ms;
  } catch (const Error&) {  // committed whatever happens here: the durations are a nicety
  }
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (timed.count(steps[i].version)) ms[i] = std::max(ms[i], timed[steps[i].version]);
    observer.OnStepDone(steps[i], ms[i]);
    result.steps.push_back({steps[i].version, steps[i].slug, steps[i].direction, ms[i]});
  }
}

// With --allow-out-of-order, a pending migration older than the newest applied one runs: its
// finding becomes a notice and its log row says so.
void AllowOutOfOrder(Plan& plan) {
  for (Finding& f : plan.findings) {
    if (f.kind != Finding::Kind::kOutOfOrder) continue;
    f.kind = Finding::Kind::kOutOfOrderAllowed;
    f.message = "applied out of order, as allowed: " + f.message.substr(0, f.message.find("; "));
    for (PlannedStep& p : plan.steps) {
      if (p.entry && p.entry->version == f.version) p.log_detail = f.message;
    }
  }
}

// Refuses (or warns about) a live schema that is not the newest snapshot's, given the
// `history` read under the lock. Returns the audit text of the snapshot this run will take:
// with schema_drift = "warn", the drift it takes over.
std::string GateSchema(Driver& driver, const std::vector<HistoryRow>& history,
                       const RunOptions& options, RunObserver& observer) {
  if (options.schema_drift == SchemaDriftPolicy::kOff) return "";
  DriftReport report = CheckDrift(driver, history);
  using C = DriftReport::Comparison;
  if (report.comparison != C::kCompared && report.comparison != C::kNoSnapshot) {
    observer.OnWarning("the live schema was not checked for drift: " + report.WhyNotCompared() +
                       ". This run records a new snapshot; 'migrate drift' compares with it");
  }
  if (!report.Drifted()) return "";
  if (options.schema_drift == SchemaDriftPolicy::kFail) throw DriftError(report);
  observer.OnSchemaDrift(report);
  return "took over " + std::to_string(report.changes.size()) +
         " change(s) of the live schema made outside migrate (schema_drift = \"warn\")";
}

// Records the schema the run left. Its migrations are committed whatever happens here, so a
// failure is a warning: the next run finds no snapshot of this history and says so.
void RecordAfterRun(Driver& driver, const char* event, const LockRequest& lease,
                    const std::string& audit, RunObserver& observer) {
  try {
    CrashPoint("before-snapshot");
    RecordSnapshot(driver, event, lease, audit);
  } catch (const Error& e) {
    observer.OnWarning(std::string("the schema snapshot after this ") + event +
                       " was not recorded: " + e.what());
  }
}

// Applies `plan` under `lease`, then records the schema it left (also when a step failed
// after others committed: the next run's drift check compares with what is really there).
RunResult ExecuteAndRecord(Driver& driver, const Bundle& bundle, const Plan& plan,
                           const std::string& audit, const RunOptions& options,
                           const LockRequest& lease, RunObserver& observer) {
  const char* event =
      !plan.steps.empty() && plan.steps[0].direction == Direction::kDown ? "down" : "run";
  RunResult result;
  bool single = options.single_transaction && event == std::string_view("run");
  try {
    if (single) {
      ExecuteSingle(driver, bundle, plan, options, lease, observer, result);
    } else {
      Execute(driver, bundle, plan, options, lease, observer, result);
    }
  } catch (...) {
    if (!result.steps.empty()) RecordAfterRun(driver, event, lease, audit, observer);
    throw;
  }
  if (!result.steps.empty()) RecordAfterRun(driver, event, lease, audit, observer);
  return result;
}

template <typename MakePlan>
RunResult LockedRun(Driver& driver, const Bundle& bundle, const RunOptions& options,
                    RunObserver& observer, MakePlan make_plan) {
  bundle.manifest();      // parsed and checked against the header before anything is written
  if (options.dry_run) {  // as a run would, up to the schema check; then a rehearsal
    std::vector<HistoryRow> history = driver.ReadHistory();
    Plan plan = make_plan(history);
    if (options.allow_out_of_order) AllowOutOfOrder(plan);
    RefuseOnFindings(plan.findings);
    for (const Finding& f : plan.findings) observer.OnNotice(f);
    if (!plan.steps.empty()) GateSchema(driver, history, options, observer);
    return RehearsePlan(driver, bundle, plan, options, observer);
  }
  driver.EnsureMetadata();
  LockGuard lock(
      driver, MakeLockRequest(options.lease), options.lock_wait,
      [&](const LockHolder& h) { observer.OnLockWait(h); }, options.stop);
  CrashPoint("locked");
  std::vector<HistoryRow> history = driver.ReadHistory();  // after the lock, never before
  Plan plan = make_plan(history);
  if (options.allow_out_of_order) AllowOutOfOrder(plan);
  RefuseOnFindings(plan.findings);
  for (const Finding& f : plan.findings) observer.OnNotice(f);
  std::string audit = plan.steps.empty() ? "" : GateSchema(driver, history, options, observer);
  RunResult result =
      ExecuteAndRecord(driver, bundle, plan, audit, options, lock.request(), observer);
  CrashPoint("before-release");
  return result;
}

}  // namespace

RunResult RunUp(Driver& driver, const Bundle& bundle, const RunOptions& options,
                RunObserver& observer) {
  std::string dialect(driver.GetDialect().Name());
  // A database that has every migration needs neither the lock nor the manifest's entries:
  // the usual deploy is a no-op run, and it writes nothing.
  if (!options.to) {
    std::vector<HistoryRow> read;
    if (!options.history) read = driver.ReadHistory();
    if (IsComplete(bundle.header(), options.history ? *options.history : read, dialect)) return {};
  }
  return LockedRun(driver, bundle, options, observer, [&](const std::vector<HistoryRow>& h) {
    return PlanUp(bundle.manifest(), h, dialect, options.to);
  });
}

std::vector<Step> PreviewUp(Driver& driver, const Bundle& bundle, const RunOptions& options) {
  std::string dialect(driver.GetDialect().Name());
  Plan plan = PlanUp(bundle.manifest(), driver.ReadHistory(), dialect, options.to);
  if (options.allow_out_of_order) AllowOutOfOrder(plan);
  RefuseOnFindings(plan.findings);
  std::vector<Step> steps;
  for (const PlannedStep& p : plan.steps) steps.push_back(StepOf(bundle, driver, p, options));
  return steps;
}

RunResult RunDown(Driver& driver, const Bundle& bundle, const DownTarget& target,
                  const RunOptions& options, RunObserver& observer) {
  std::string dialect(driver.GetDialect().Name());
  return LockedRun(driver, bundle, options, observer, [&](const std::vector<HistoryRow>& h) {
    return PlanDown(bundle.manifest(), h, dialect, target);
  });
}

}  // namespace migrate
