#include "migrate/drift.h"

#include "migrate/sha256.h"

namespace migrate {
namespace {

std::string Short(const std::string& sha) { return sha.substr(0, 12); }

}  // namespace

std::string DriftReport::WhyNotCompared() const {
  switch (comparison) {
    case Comparison::kNoSnapshot:
      return "no schema snapshot yet";
    case Comparison::kOtherFormat:
      return "the newest schema snapshot was taken by another version of migrate";
    case Comparison::kStale:
      return "the history changed after the newest schema snapshot was taken (a run that "
             "stopped before recording the schema, or a psql script), so migrate cannot tell "
             "its own migrations from changes made by hand";
    case Comparison::kUnreadable:
      return "the newest schema snapshot is not canonical text (was the schema table edited by "
             "hand?)";
    case Comparison::kCompared:
      break;
  }
  return "";
}

DriftReport CheckDrift(Driver& driver, const std::vector<HistoryRow>& history,
                       LiveSchema live_schema) {
  DriftReport report;
  report.live_history = HistoryDigest(history);
  report.snapshot = driver.ReadSnapshot();
  using C = DriftReport::Comparison;
  report.comparison = !report.snapshot                                  ? C::kNoSnapshot
                      : report.snapshot->format != kCatalogFormat       ? C::kOtherFormat
                      : report.snapshot->history != report.live_history ? C::kStale
                                                                        : C::kCompared;
  if (report.comparison != C::kCompared && live_schema == LiveSchema::kIfComparable) return report;
  std::vector<CatalogObject> live = Describe(driver.ReadCatalog());
  report.live_catalog = RenderCanonical(live);
  report.live_sha256 = Sha256Hex(report.live_catalog);
  if (report.comparison != C::kCompared || report.snapshot->sha256 == report.live_sha256) {
    return report;
  }
  try {
    report.changes = DiffCatalogs(ParseCanonical(report.snapshot->catalog), live);
  } catch (const Error&) {
    report.comparison = C::kUnreadable;
    return report;
  }
  if (report.changes.empty()) {  // the texts differ where no object name tells (a duplicate)
    CatalogChange c;
    c.object = {"catalog", "(whole)", {}};
    c.changes.push_back({"sha256", report.snapshot->sha256, report.live_sha256});
    report.changes.push_back(std::move(c));
  }
  return report;
}

SchemaSnapshot SnapshotOf(Driver& driver, const std::string& event,
                          const std::vector<HistoryRow>& history) {
  SchemaSnapshot s;
  s.version = NewestVersion(history);
  s.event = event;
  s.history = HistoryDigest(history);
  s.catalog = RenderCanonical(Describe(driver.ReadCatalog()));
  s.sha256 = Sha256Hex(s.catalog);
  return s;
}

Error DriftError(const DriftReport& report) {
  const SchemaSnapshot& s = *report.snapshot;
  return Error(ErrorCode::kDrift,
               "the live schema is not the one recorded after the last " + s.event +
                   (s.version.empty() ? "" : " (version " + s.version + ")") + " at " + s.taken_at +
                   " by " + s.actor + " (sha256 " + Short(s.sha256) + "):\n" +
                   RenderDiff(report.changes) +
                   "nothing was run. Undo the change by hand, or keep it: write it into a "
                   "migration and accept the live schema with 'migrate drift --accept', or set "
                   "schema_drift = \"warn\" for this environment");
}

}  // namespace migrate
