// `migrate verify` (docs/design.md §14): the "stairway" check of a bundle on a scratch
// database of the real target's kind. For each migration in version order: up, snapshot,
// down, snapshot — which must equal the snapshot taken before the up — then up again, so the
// next migration builds on it. Every migration whose down does not undo its up is reported
// with the catalog diff (the comparison drift uses, migrate's own tables left out), and every
// up or down that fails with its file:line:column and SQLSTATE. It proves that each down
// undoes its up on an empty schema; it proves nothing about data (a down that must move rows
// back), sequence values, grants, or anything else the catalog does not read (catalog.h).
//
// Steps run through Driver::Apply, with history rows and under the lock, exactly as `run`
// and `down` apply them. The database ends with every migration applied. A column whose only
// difference is its position is a note, not a failure: a down that re-adds a dropped column
// cannot put it back in place on PostgreSQL. When the database can no longer be brought to
// the state after an up (the up fails the second time, a no-transaction down fails halfway),
// the check goes on on a fresh database with every up so far applied once, when the caller
// can make one (VerifyOptions::fresh_database); else it stops there.
#ifndef MIGRATE_VERIFY_H_
#define MIGRATE_VERIFY_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "migrate/bundle.h"
#include "migrate/catalog_diff.h"
#include "migrate/driver.h"
#include "migrate/runner.h"

namespace migrate {

struct VerifyOptions {
  RunOptions run;  // timeouts, lease, lock wait, stop (the run's own fields only)
  // Verify on a database that already has a schema or history: the pending migrations are
  // checked on top of it. Without it such a database is refused.
  bool allow_existing = false;
  // A new empty database of the same kind (a temporary one), for going on after a failure
  // that leaves the database in no known state; empty: stop there.
  std::function<std::unique_ptr<Driver>()> fresh_database;
};

// What the stairway found for one migration.
struct MigrationCheck {
  enum class Outcome {
    kPassed,         // the down undid the up; the up ran again
    kNotUndone,      // the down ran, but the schema is not what it was before the up
    kUpFailed,       // the up failed: nothing after it is checked
    kDownFailed,     // the down failed and was rolled back: the next builds on the up
    kUpAgainFailed,  // after the down, the up failed the second time: nothing after it
    kNoDown,         // irreversible, or no down for this database: not checked, the up stays
    kNotReached,     // after a failure that stops the check: not checked
  };
  std::string version;
  std::string slug;
  Outcome outcome = Outcome::kNotReached;
  // From the schema before the up to the schema after the down: "+" left behind, "-" missing,
  // "~" changed. Empty unless kNotUndone (or kUpAgainFailed after a down that left some).
  std::vector<CatalogChange> left;
  // From the schema after the first up to the schema after the second, when they differ.
  std::vector<CatalogChange> again;
  // Columns whose only difference after the down is their position: a note, not a failure.
  std::vector<CatalogChange> reordered;
  // After this one, the check went on on a fresh database (VerifyOptions::fresh_database).
  bool restarted = false;
  std::optional<Error> error;  // the failing up or down (location, SQLSTATE)
  long long up_ms = 0;
  long long down_ms = 0;
  long long again_ms = 0;

  bool Failed() const;
  bool Checked() const { return outcome != Outcome::kNoDown && outcome != Outcome::kNotReached; }
};

struct VerifyResult {
  std::string database;                    // Capabilities: "postgres 15.8"
  std::vector<MigrationCheck> migrations;  // in version order
  long long duration_ms = 0;

  int Checked() const;
  int Passed() const;
  int Failed() const;
  int NotChecked() const;
};

// Progress as it happens, so a long verify prints one line per migration.
class VerifyObserver {
 public:
  virtual ~VerifyObserver() = default;
  virtual void OnLockWait(const LockHolder& /*holder*/) {}
  // `count` migrations are about to be checked.
  virtual void OnStart(std::size_t /*count*/) {}
  virtual void OnMigrationDone(const MigrationCheck& /*check*/) {}
};

// Runs the stairway over the bundle's pending migrations for `db`'s dialect. Failures of the
// migrations are in the result, not thrown. Throws Error(kUsage) before changing anything when
// `db` already has a schema or history and !options.allow_existing (WhyNotEmpty); throws like
// RunUp for what is not a migration's failure (kDrift for a bundle that does not match the
// history, kLockTimeout, kConnection, kCorruptBundle, kInterrupted).
VerifyResult Verify(Driver& db, const Bundle& bundle, const VerifyOptions& options,
                    VerifyObserver& observer);

// Why `db` is not an empty database ("it has 2 table(s) (a, b) and 3 history row(s)"), or
// empty when it has no table, view, sequence, type, function nor history row. Schemas and
// extensions do not count: a new PostgreSQL database has `public` and `plpgsql`.
std::string WhyNotEmpty(Driver& db);

// The word for `outcome`: "passed", "not undone", "up failed", "down failed",
// "up again failed", "no down", "not reached".
std::string_view OutcomeName(MigrationCheck::Outcome outcome);

}  // namespace migrate

#endif  // MIGRATE_VERIFY_H_
