// `migrate repair` and the two ways to accept a reviewed change: an edited applied file
// (repair --accept) and a changed live schema (drift --accept).
#include <algorithm>

#include "migrate/lock.h"
#include "migrate/runner.h"
#include "run_support.h"

namespace migrate {
namespace {

const HistoryRow* Find(const std::vector<HistoryRow>& history, const std::string& version) {
  auto it = std::find_if(history.begin(), history.end(), [&](const HistoryRow& r) {
    return CompareVersions(r.version, version) == 0;
  });
  return it == history.end() ? nullptr : &*it;
}

std::string Short(const std::string& checksum) { return checksum.substr(0, 12); }

}  // namespace

void RunRepair(Driver& driver, const std::string& version, RepairAction action,
               const RunOptions& options) {
  driver.EnsureMetadata();
  LockGuard lock(driver, MakeLockRequest(options.lease), options.lock_wait);
  std::vector<HistoryRow> history = driver.ReadHistory();
  const HistoryRow* row = Find(history, version);
  if (!row || row->state != HistoryState::kStarted) {
    throw Error(ErrorCode::kUsage,
                "no interrupted migration with version " + version + "; see 'migrate status'");
  }
  bool applied = action == RepairAction::kMarkApplied;
  driver.Repair({row->version, action, "", "", "", applied ? "marked applied" : "row deleted"},
                lock.request());
  RecordSnapshot(driver, "repair", lock.request());
}

void RunAccept(Driver& driver, const Bundle& bundle, const std::string& version,
               const RunOptions& options) {
  bundle.manifest();
  driver.EnsureMetadata();
  LockGuard lock(driver, MakeLockRequest(options.lease), options.lock_wait);
  std::vector<HistoryRow> history = driver.ReadHistory();
  const HistoryRow* row = Find(history, version);
  std::string dialect(driver.GetDialect().Name());
  const ManifestEntry* entry = bundle.manifest().Find(version);
  const ManifestFile* up = entry ? entry->Find(Direction::kUp, dialect) : nullptr;
  if (!row || !IsApplied(row->state) || !up) {
    throw Error(ErrorCode::kUsage, "--accept " + version +
                                       ": no applied migration with that version in both the "
                                       "database and the bundle; see 'migrate status'");
  }
  const ManifestFile* down = entry->Find(Direction::kDown, dialect);
  RepairRequest request{
      row->version, RepairAction::kAccept, up->sha256, down ? down->sha256 : "", "", ""};
  if (auto fp = up->fingerprints.find(dialect); fp != up->fingerprints.end()) {
    request.fingerprint = fp->second;
  }
  if (request.checksum == row->checksum && request.down_checksum == row->down_checksum) {
    throw Error(ErrorCode::kUsage, "--accept " + version +
                                       ": its files in the bundle are the applied ones; nothing "
                                       "to accept");
  }
  request.detail = "accepted a changed file: checksum " + Short(row->checksum) + " -> " +
                   Short(request.checksum) + ", down " + Short(row->down_checksum) + " -> " +
                   Short(request.down_checksum);
  driver.Repair(request, lock.request());
}

DriftReport AcceptSchema(Driver& driver, const RunOptions& options) {
  driver.EnsureMetadata();
  LockGuard lock(driver, MakeLockRequest(options.lease), options.lock_wait);
  std::vector<HistoryRow> history = driver.ReadHistory();
  DriftReport report = CheckDrift(driver, history, LiveSchema::kAlways);
  using C = DriftReport::Comparison;
  if (report.comparison == C::kCompared && report.changes.empty()) return report;  // nothing new
  SchemaSnapshot snapshot;
  snapshot.event = "accept";
  snapshot.version = NewestVersion(history);
  snapshot.history = report.live_history;
  snapshot.catalog = report.live_catalog;
  snapshot.sha256 = report.live_sha256;
  std::string was = report.snapshot ? ", was " + Short(report.snapshot->sha256) : "";
  std::string what = report.comparison == C::kCompared
                         ? std::to_string(report.changes.size()) + " change(s)"
                         : "not compared: " + report.WhyNotCompared();
  snapshot.audit = "accepted the live schema as the snapshot (sha256 " + Short(snapshot.sha256) +
                   was + "), " + what;
  driver.WriteSnapshot(snapshot, lock.request());
  return report;
}

}  // namespace migrate
