#include "migrate/runner.h"

#include <algorithm>

#include "migrate/lock.h"

namespace migrate {
namespace {

void RefuseOnFindings(std::vector<Finding> findings) {
  std::erase_if(findings, [](const Finding& f) { return !f.Blocking(); });
  if (findings.empty()) return;
  // Repair outranks drift: an interrupted migration must be looked at first.
  auto worst = std::find_if(findings.begin(), findings.end(),
                            [](const Finding& f) { return f.kind == Finding::Kind::kStarted; });
  ErrorCode code = worst != findings.end() ? ErrorCode::kNeedsRepair : ErrorCode::kDrift;
  std::string message = "nothing was run: ";
  for (std::size_t i = 0; i < findings.size(); ++i) {
    message += (i ? "\n  " : "\n  ") + findings[i].message;
  }
  throw Error(code, message);
}

// The Step of `planned`; `sql`: the file's bytes when already read and checked, else they are
// read (and checked) here.
Step StepOf(const Bundle& bundle, const Driver& driver, const PlannedStep& planned,
            const RunOptions& options, std::string* sql = nullptr) {
  return MakeStep(planned, sql ? std::move(*sql) : bundle.Read(*planned.file), driver.GetDialect(),
                  {options.lock_timeout, options.statement_timeout});
}

RunResult Execute(Driver& driver, const Bundle& bundle, const Plan& plan, const RunOptions& options,
                  const LockRequest& lease, RunObserver& observer) {
  // Every file that will run is checked against the manifest before the first one runs. The
  // bytes checked are the bytes run when they fit in kKeptBytes; beyond, memory stays bounded
  // by one file and each is read and checked again when it runs.
  constexpr long long kKeptBytes = 8LL << 20;
  long long total = 0;
  for (const PlannedStep& p : plan.steps) total += p.file->bytes;
  std::vector<std::string> kept;
  if (total <= kKeptBytes) {
    for (const PlannedStep& p : plan.steps) kept.push_back(bundle.Read(*p.file));
  } else {
    std::vector<const ManifestFile*> files;
    for (const PlannedStep& p : plan.steps) files.push_back(p.file);
    bundle.VerifyFiles(files);
  }
  RunResult result;
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    const PlannedStep& planned = plan.steps[i];
    if (options.stop && options.stop->load()) {
      std::string name = planned.entry ? planned.entry->version + "_" + planned.entry->slug
                                       : planned.history->version;
      throw Error(ErrorCode::kInterrupted,
                  "interrupted: stopped before " + name + " with " +
                      std::to_string(result.steps.size()) +
                      " migration(s) done; the lock is released. Run again to continue");
    }
    Step step = StepOf(bundle, driver, planned, options, kept.empty() ? nullptr : &kept[i]);
    StepSummary summary{step.version, step.slug, step.direction, 0};
    if (!options.dry_run) {
      observer.OnStepStart(step);
      summary.duration_ms = driver.Apply(step, lease);
      observer.OnStepDone(step, summary.duration_ms);
    }
    result.steps.push_back(summary);
  }
  return result;
}

template <typename MakePlan>
RunResult LockedRun(Driver& driver, const Bundle& bundle, const RunOptions& options,
                    RunObserver& observer, MakePlan make_plan) {
  bundle.manifest();  // parsed and checked against the header before anything is written
  if (options.dry_run) {
    Plan plan = make_plan(driver.ReadHistory());
    RefuseOnFindings(plan.findings);
    return Execute(driver, bundle, plan, options, LockRequest{}, observer);
  }
  driver.EnsureMetadata();
  LockGuard lock(
      driver, MakeLockRequest(options.lease), options.lock_wait,
      [&](const LockHolder& h) { observer.OnLockWait(h); }, options.stop);
  std::vector<HistoryRow> history = driver.ReadHistory();  // after the lock, never before
  Plan plan = make_plan(history);
  RefuseOnFindings(plan.findings);
  for (const Finding& f : plan.findings) observer.OnNotice(f);
  return Execute(driver, bundle, plan, options, lock.request(), observer);
}

}  // namespace

RunResult RunUp(Driver& driver, const Bundle& bundle, const RunOptions& options,
                RunObserver& observer) {
  std::string dialect(driver.GetDialect().Name());
  // A database that has every migration needs neither the lock nor the manifest's entries:
  // the usual deploy is a no-op run, and it writes nothing.
  if (!options.to && IsComplete(bundle.header(), driver.ReadHistory(), dialect)) return {};
  return LockedRun(driver, bundle, options, observer, [&](const std::vector<HistoryRow>& h) {
    return PlanUp(bundle.manifest(), h, dialect, options.to);
  });
}

std::vector<Step> PreviewUp(Driver& driver, const Bundle& bundle, const RunOptions& options) {
  std::string dialect(driver.GetDialect().Name());
  Plan plan = PlanUp(bundle.manifest(), driver.ReadHistory(), dialect, options.to);
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

void RunRepair(Driver& driver, const std::string& version, RepairAction action,
               const RunOptions& options) {
  driver.EnsureMetadata();
  LockGuard lock(driver, MakeLockRequest(options.lease), options.lock_wait);
  std::vector<HistoryRow> history = driver.ReadHistory();
  auto it = std::find_if(history.begin(), history.end(), [&](const HistoryRow& r) {
    return CompareVersions(r.version, version) == 0 && r.state == HistoryState::kStarted;
  });
  if (it == history.end()) {
    throw Error(ErrorCode::kUsage,
                "no interrupted migration with version " + version + "; see 'migrate status'");
  }
  driver.Repair(it->version, action, lock.request());
}

StatusReport GetStatus(Driver& driver, const Bundle& bundle) {
  StatusReport report;
  report.capabilities = driver.GetCapabilities();
  std::string dialect(driver.GetDialect().Name());
  std::vector<HistoryRow> history = driver.ReadHistory();
  report.lock = driver.ReadLock();
  if (IsComplete(bundle.header(), history, dialect)) {
    report.entries.reserve(history.size());
    for (HistoryRow& row : history) {
      std::string version = row.version, slug = row.slug;
      report.entries.push_back({StatusEntry::State::kApplied, version, slug, std::move(row)});
    }
    return report;
  }
  report.findings = FindDrift(bundle.manifest(), history, dialect);
  report.entries.reserve(bundle.manifest().migrations.size());
  for (const ManifestEntry& e : bundle.manifest().migrations) {
    if (!e.Find(Direction::kUp, dialect)) continue;
    StatusEntry s{StatusEntry::State::kPending, e.version, e.slug, std::nullopt};
    report.entries.push_back(std::move(s));
  }
  std::vector<StatusEntry> missing;
  for (const HistoryRow& row : history) {
    auto it = std::lower_bound(report.entries.begin(), report.entries.end(), row.version,
                               [](const StatusEntry& s, const std::string& v) {
                                 return CompareVersions(s.version, v) < 0;
                               });
    if (it == report.entries.end() || CompareVersions(it->version, row.version) != 0) {
      missing.push_back({StatusEntry::State::kMissing, row.version, row.slug, row});
      continue;
    }
    it->state = row.state == HistoryState::kStarted ? StatusEntry::State::kStarted
                                                    : StatusEntry::State::kApplied;
    it->row = row;
  }
  for (StatusEntry& m : missing) report.entries.push_back(std::move(m));
  std::stable_sort(report.entries.begin(), report.entries.end(),
                   [](const StatusEntry& a, const StatusEntry& b) {
                     return CompareVersions(a.version, b.version) < 0;
                   });
  return report;
}

std::string_view StatusStateName(StatusEntry::State state) {
  switch (state) {
    case StatusEntry::State::kApplied:
      return HistoryStateName(HistoryState::kApplied);
    case StatusEntry::State::kPending:
      return "pending";
    case StatusEntry::State::kStarted:
      return HistoryStateName(HistoryState::kStarted);
    case StatusEntry::State::kMissing:
      return "missing";
  }
  return "pending";
}

}  // namespace migrate
