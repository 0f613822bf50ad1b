// The planner is a pure function of the bundle's manifest and the history table: which
// migrations to apply or revert, in what order, and what has drifted (docs/design.md §7): an
// applied migration whose file changed or vanished, a pending migration older than the newest
// applied one, and an interrupted non-transactional migration. MakeStep turns a planned step
// into the Step a driver runs; it is the one place a Step is assembled.
#ifndef MIGRATE_PLANNER_H_
#define MIGRATE_PLANNER_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migrate/apply.h"
#include "migrate/dialect.h"
#include "migrate/manifest.h"
#include "migrate/records.h"

namespace migrate {

struct Finding {
  enum class Kind {
    kChanged,
    kReformatted,
    kMissing,
    kOutOfOrder,
    kStarted,
    kOutOfOrderAllowed,  // kOutOfOrder with --allow-out-of-order: it runs, and says so
  };
  Kind kind;
  std::string version;
  std::string message;  // one sentence, with what to do

  // A reformatted file (same statements, new layout) and an allowed out-of-order migration
  // do not stop a run.
  bool Blocking() const { return kind != Kind::kReformatted && kind != Kind::kOutOfOrderAllowed; }

  ErrorCode Code() const {
    return kind == Kind::kStarted ? ErrorCode::kNeedsRepair : ErrorCode::kDrift;
  }
};

struct PlannedStep {
  const ManifestEntry* entry = nullptr;  // nullptr only for an applied row missing from the bundle
  const ManifestFile* file = nullptr;    // the file that runs
  Direction direction = Direction::kUp;
  const HistoryRow* history = nullptr;  // the applied row, for down steps
  std::string log_detail;               // for the step's log row; empty: its file
};

struct Plan {
  std::vector<PlannedStep> steps;
  std::vector<Finding> findings;  // those that are Blocking() stop the plan
};

// Every drift finding for `dialect`.
std::vector<Finding> FindDrift(const Manifest& manifest, const std::vector<HistoryRow>& history,
                               std::string_view dialect);

// True when every migration with an up file for `dialect` is applied, unchanged, and
// nothing else is in `history`: then PlanUp has no step and FindDrift no finding. Compares
// digests, so it needs the manifest's header only.
bool IsComplete(const ManifestHeader& header, const std::vector<HistoryRow>& history,
                std::string_view dialect);

// Pending migrations in version order, up to and including `to` when given.
// Throws Error(kUsage) when `to` is not a version in the bundle.
Plan PlanUp(const Manifest& manifest, const std::vector<HistoryRow>& history,
            std::string_view dialect, const std::optional<std::string>& to);

// Timeouts for steps whose file sets none (the environment's).
struct Timeouts {
  std::optional<std::chrono::milliseconds> lock;
  std::optional<std::chrono::milliseconds> statement;
};

// The Step that runs `planned` with `sql`, the bytes of planned.file (already checked against
// the manifest), split by `dialect`; `defaults` apply where the file sets no timeout.
// `postgres_version`: the server the files are for, as in the build (a statement newer than
// the grammar is left for the server to check). REQUIRES: planned.entry and planned.file are
// set. Throws Error(kMigrationFailed) when `dialect` cannot split the file (a bundle built
// without that dialect).
Step MakeStep(const PlannedStep& planned, std::string sql, const Dialect& dialect,
              const Timeouts& defaults, int postgres_version = kDefaultPostgresVersion);

struct DownTarget {
  enum class Mode { kCount, kTo, kAll };
  Mode mode = Mode::kCount;
  int count = 1;
  std::string to;  // kTo: revert every applied migration newer than this version
};

// Applied migrations to revert, newest first. Findings are those that touch those steps.
// Throws Error(kUsage) for a step that is irreversible or has no down file.
Plan PlanDown(const Manifest& manifest, const std::vector<HistoryRow>& history,
              std::string_view dialect, const DownTarget& target);

}  // namespace migrate

#endif  // MIGRATE_PLANNER_H_
