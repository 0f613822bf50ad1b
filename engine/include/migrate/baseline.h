// `migrate baseline V` (docs/design.md §11): adopt a database that was built without migrate
// (by hand, by another tool, restored from a dump). Every migration up to V is recorded as
// applied in state `baseline` — no SQL runs — and the schema snapshot is taken, so the next
// `run` applies only what comes after V and drift is checked from then on. `--check` first
// proves the database is what those migrations would have built.
#ifndef MIGRATE_BASELINE_H_
#define MIGRATE_BASELINE_H_

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "migrate/bundle.h"
#include "migrate/catalog_diff.h"
#include "migrate/driver.h"
#include "migrate/import.h"
#include "migrate/runner.h"

namespace migrate {

// Records every migration of the bundle up to and including `version` that has an up file for
// this database as baselined, in one transaction with a log row each, then a snapshot; all
// under the lock. Throws Error(kUsage) when `version` is not in the bundle or the database
// already has history (baseline is for a database migrate has never run).
RunResult RunBaseline(Driver& driver, const Bundle& bundle, const std::string& version,
                      const RunOptions& options);

// `baseline --from TOOL`: the migrations `source` says it applied, read from its own history
// table (`table`, or the tool's default; tool_history.h), in this layout's versions. Never
// writes. Throws Error(kUsage) when that table is missing or unusable, or names versions the
// bundle lacks.
struct ToolApplied {
  QualifiedName table;                // the table read
  std::vector<std::string> versions;  // applied, in version order; never empty
  // Versions of the bundle older than the newest applied that the tool had not applied:
  // pending, and out of order for `run` (--allow-out-of-order applies them).
  std::vector<std::string> gaps;
};
ToolApplied ReadToolApplied(Driver& driver, const Bundle& bundle, ImportSource source,
                            const std::optional<QualifiedName>& table);

// Records exactly `versions` (those with an up file for this database) as RunBaseline does.
RunResult RunBaselineOf(Driver& driver, const Bundle& bundle,
                        const std::vector<std::string>& versions, const RunOptions& options);

// How the live schema of `target` differs from the schema the bundle's migrations up to
// `version` build on `scratch` (an empty database of the same kind, used by nobody else):
// "+" objects the target has beyond them, "-" objects it lacks, "~" objects that differ.
// Empty when the target is exactly that schema. `stop`, when set by a signal, stops between
// migrations with Error(kInterrupted), so that the scratch database is dropped. `leave_out`
// names a table of the target that no migration makes (another tool's history table).
std::vector<CatalogChange> CompareWithMigrations(
    Driver& target, Driver& scratch, const Bundle& bundle, const std::string& version,
    const std::atomic<bool>* stop = nullptr,
    const std::optional<QualifiedName>& leave_out = std::nullopt);

}  // namespace migrate

#endif  // MIGRATE_BASELINE_H_
