// Live schema drift (docs/design.md §11): the schema a database really has against the
// snapshot recorded after its last run. A column added by hand, an index dropped, a function
// hot-patched: each is a change between the two catalogs. Snapshots are taken under the lock
// after every run, down, baseline and repair that changed something, and by `drift --accept`.
// A snapshot also records the history it was taken with: when the history changed since (a
// runner that died after committing, a psql script of `plan --format sql`), the snapshot is
// stale and is not compared, so migrate never mistakes its own migrations for drift.
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
  enum class Comparison {
    kNoSnapshot,   // none taken yet
    kOtherFormat,  // taken by a migrate with another catalog format
    kStale,        // the history changed after it was taken
    kUnreadable,   // its text is not canonical (edited by hand)
    kCompared,
  };
  std::optional<SchemaSnapshot> snapshot;  // the newest
  Comparison comparison = Comparison::kNoSnapshot;
  std::vector<CatalogChange> changes;  // from the snapshot to the live schema, when compared
  std::string live_catalog;            // the live schema's canonical text, when read
  std::string live_sha256;             // its SHA-256
  std::string live_history;            // HistoryDigest of the history it was compared with

  bool Drifted() const { return comparison == Comparison::kCompared && !changes.empty(); }
  // Why the live schema was not compared, as a sentence; empty when it was.
  std::string WhyNotCompared() const;
};

// Whether CheckDrift reads the live schema when there is no snapshot to compare it with.
enum class LiveSchema { kAlways, kIfComparable };

// Compares the live schema with the newest snapshot, given the database's `history`. Never
// writes. With kIfComparable and nothing to compare with, the live schema is not read.
DriftReport CheckDrift(Driver& driver, const std::vector<HistoryRow>& history,
                       LiveSchema live_schema = LiveSchema::kIfComparable);

// The live schema as a snapshot for `event`, taken with `history`.
SchemaSnapshot SnapshotOf(Driver& driver, const std::string& event,
                          const std::vector<HistoryRow>& history);

// The error for a drifted report: what changed, and the ways out.
Error DriftError(const DriftReport& report);

}  // namespace migrate

#endif  // MIGRATE_DRIFT_H_
