#include "run_support.h"

#include <algorithm>

#include "migrate/drift.h"

namespace migrate {

void RefuseOnFindings(std::vector<Finding> findings) {
  std::erase_if(findings, [](const Finding& f) { return !f.Blocking(); });
  if (findings.empty()) return;
  // Repair outranks drift: an interrupted migration must be looked at first.
  auto worst = std::find_if(findings.begin(), findings.end(),
                            [](const Finding& f) { return f.kind == Finding::Kind::kStarted; });
  ErrorCode code = worst != findings.end() ? ErrorCode::kNeedsRepair : ErrorCode::kDrift;
  std::string message = "nothing was run: ";
  for (const Finding& f : findings) message += "\n  " + f.message;
  throw Error(code, message);
}

Step StepOf(const Bundle& bundle, const Driver& driver, const PlannedStep& planned,
            const RunOptions& options, std::string* sql) {
  return MakeStep(planned, sql ? std::move(*sql) : bundle.Read(*planned.file), driver.GetDialect(),
                  {options.lock_timeout, options.statement_timeout}, options.postgres_version);
}

std::vector<std::string> CheckFiles(const Bundle& bundle, const Plan& plan) {
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
  return kept;
}

void StopIfAsked(const RunOptions& options, const PlannedStep& planned, std::size_t done) {
  if (!options.stop || !options.stop->load()) return;
  std::string name =
      planned.entry ? planned.entry->version + "_" + planned.entry->slug : planned.history->version;
  throw Error(ErrorCode::kInterrupted,
              "interrupted: stopped before " + name + " with " + std::to_string(done) +
                  " migration(s) done; the lock is released. Run again to continue");
}

void RecordSnapshot(Driver& driver, const std::string& event, const LockRequest& lease,
                    const std::string& audit) {
  SchemaSnapshot snapshot = SnapshotOf(driver, event, driver.ReadHistory());
  snapshot.audit = audit;
  driver.WriteSnapshot(snapshot, lease);
}

}  // namespace migrate
