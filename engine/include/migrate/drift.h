// Live schema drift (docs/design.md §11): the schema a database really has against the
// snapshot recorded after its last run. A column added by hand, an index dropped, a function
// hot-patched: each is a change between the two catalogs. Snapshots are taken under the lock
// after every run, down, baseline and repair that changed something, and by `drift --accept`.
#ifndef MIGRATE_DRIFT_H_
#define MIGRATE_DRIFT_H_

#include <optional>
#include <string>
#include <vector>

#include "migrate/catalog_diff.h"
#include "migrate/driver.h"

namespace migrate {

// What `run` and `down` do when the live schema is not the snapshot's (the environment's
// `schema_drift`): refuse (exit 4), go on with a warning, or not look.
enum class SchemaDriftPolicy { kFail, kWarn, kOff };

struct DriftReport {
  std::optional<SchemaSnapshot> snapshot;  // the newest; nullopt before the first one
  bool comparable = false;                 // a snapshot of this catalog format exists
  std::vector<CatalogChange> changes;      // from the snapshot to the live schema
  std::string live_catalog;                // the live schema's canonical text, when read
  std::string live_sha256;                 // its SHA-256

  bool Drifted() const { return comparable && !changes.empty(); }
};

// Whether CheckDrift reads the live schema when there is no snapshot to compare it with.
enum class LiveSchema { kAlways, kIfComparable };

// Compares the live schema with the newest snapshot. Never writes. With kIfComparable and no
// comparable snapshot, the live schema is not read (live_catalog stays empty).
DriftReport CheckDrift(Driver& driver, LiveSchema live_schema = LiveSchema::kIfComparable);

// The live schema as a snapshot for `event`, belonging to `version`.
SchemaSnapshot SnapshotOf(Driver& driver, const std::string& event, const std::string& version);

// The error for a drifted report: what changed, and the three ways out.
Error DriftError(const DriftReport& report);

}  // namespace migrate

#endif  // MIGRATE_DRIFT_H_
