#include "migrate/drift.h"

#include "migrate/sha256.h"

namespace migrate {

DriftReport CheckDrift(Driver& driver, LiveSchema live_schema) {
  DriftReport report;
  report.snapshot = driver.ReadSnapshot();
  report.comparable = report.snapshot && report.snapshot->format == kCatalogFormat;
  if (!report.comparable && live_schema == LiveSchema::kIfComparable) return report;
  std::vector<CatalogObject> live = Describe(driver.ReadCatalog());
  report.live_catalog = RenderCanonical(live);
  report.live_sha256 = Sha256Hex(report.live_catalog);
  if (report.comparable && report.snapshot->sha256 != report.live_sha256) {
    report.changes = DiffCatalogs(ParseCanonical(report.snapshot->catalog), live);
  }
  return report;
}

SchemaSnapshot SnapshotOf(Driver& driver, const std::string& event, const std::string& version) {
  SchemaSnapshot s;
  s.version = version;
  s.event = event;
  s.catalog = RenderCanonical(Describe(driver.ReadCatalog()));
  s.sha256 = Sha256Hex(s.catalog);
  return s;
}

Error DriftError(const DriftReport& report) {
  const SchemaSnapshot& s = *report.snapshot;
  return Error(ErrorCode::kDrift,
               "the live schema is not the one recorded after the last " + s.event +
                   (s.version.empty() ? "" : " (version " + s.version + ")") + " at " + s.taken_at +
                   " by " + s.actor + ":\n" + RenderDiff(report.changes) +
                   "nothing was run. Undo the change by hand, or keep it: write it into a "
                   "migration and accept the live schema with 'migrate drift --accept', or set "
                   "schema_drift = \"warn\" for this environment");
}

}  // namespace migrate
