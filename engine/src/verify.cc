#include "migrate/verify.h"

#include <algorithm>
#include <chrono>
#include <iterator>

#include "migrate/lock.h"
#include "migrate/stopwatch.h"
#include "run_support.h"

namespace migrate {
namespace {

using Objects = std::vector<CatalogObject>;
using Outcome = MigrationCheck::Outcome;

// Whether `c` is a column that only moved: a down that re-adds a dropped column puts it last.
bool OnlyMoved(const CatalogChange& c) {
  return c.kind == CatalogChange::Kind::kChanged && c.object.kind == "column" &&
         std::all_of(c.changes.begin(), c.changes.end(),
                     [](const AttributeChange& a) { return a.attribute == "position"; });
}

// The changes from `from` to `to`, the columns that only moved put into `moved`.
std::vector<CatalogChange> Diff(const Objects& from, const Objects& to,
                                std::vector<CatalogChange>& moved) {
  std::vector<CatalogChange> changes = DiffCatalogs(from, to);
  auto first_moved = std::stable_partition(changes.begin(), changes.end(),
                                           [](const CatalogChange& c) { return !OnlyMoved(c); });
  std::move(first_moved, changes.end(), std::back_inserter(moved));
  changes.erase(first_moved, changes.end());
  return changes;
}

// The stairway over the steps of one plan: the database it runs on, under the lock.
class Stairway {
 public:
  Stairway(Driver& db, const Bundle& bundle, const VerifyOptions& options, VerifyObserver& observer)
      : db_(&db), bundle_(bundle), options_(options), observer_(observer) {
    Lock();
  }

  const Plan& Start() {
    std::vector<HistoryRow> history = db_->ReadHistory();  // after the lock, never before
    plan_ = PlanUp(bundle_.manifest(), history, db_->GetDialect().Name(), std::nullopt);
    RefuseOnFindings(plan_.findings);
    CheckFiles(bundle_, plan_);  // every up checked against the manifest before the first runs
    return plan_;
  }

  // Checks plan step `i`; returns false when nothing after it can be checked.
  bool Check(std::size_t i, MigrationCheck& out) {
    const PlannedStep& up = plan_.steps[i];
    if (!before_) before_ = Snapshot();
    if (!Apply(up, out, out.up_ms)) return Stop(out, Outcome::kUpFailed);
    const ManifestFile* down_file = up.entry->Find(Direction::kDown, db_->GetDialect().Name());
    if (!down_file) {
      out.outcome = Outcome::kNoDown;
      before_.reset();  // the up stays: read the schema again before the next one
      return true;
    }
    Objects after = Snapshot();
    if (!Apply({up.entry, down_file, Direction::kDown, nullptr, ""}, out, out.down_ms)) {
      out.outcome = Outcome::kDownFailed;
      before_ = std::move(after);                        // rolled back: the up is still applied
      return down_file->transaction || Restart(i, out);  // a no-transaction one may be halfway
    }
    out.left = Diff(*before_, Snapshot(), out.reordered);
    out.outcome = out.left.empty() ? Outcome::kPassed : Outcome::kNotUndone;
    if (!Apply(up, out, out.again_ms)) {
      out.outcome = Outcome::kUpAgainFailed;
      return Restart(i, out);
    }
    if (out.left.empty() && out.reordered.empty()) {
      before_ = std::move(after);  // the down undid the up, so the same up builds the same
      return true;
    }
    before_ = Snapshot();
    std::vector<CatalogChange> moved;
    out.again = Diff(after, *before_, moved);
    return true;
  }

 private:
  void Lock() {
    db_->EnsureMetadata();
    const RunOptions& run = options_.run;
    lock_ = std::make_unique<LockGuard>(
        *db_, MakeLockRequest(run.lease), run.lock_wait,
        [this](const LockHolder& h) { observer_.OnLockWait(h); }, run.stop);
  }

  // Goes on from plan step `i` on a fresh database where the ups up to it ran once each.
  bool Restart(std::size_t i, MigrationCheck& out) {
    if (!options_.fresh_database) return false;
    lock_.reset();
    owned_ = options_.fresh_database();  // the old one (if ours) is dropped here
    db_ = owned_.get();
    Lock();
    before_.reset();
    MigrationCheck replay;
    long long ms = 0;
    for (std::size_t k = 0; k <= i; ++k) {
      if (!Apply(plan_.steps[k], replay, ms)) throw *replay.error;  // it ran before: a bug
    }
    out.restarted = true;
    return true;
  }

  // Applies `planned` like `run` does; a migration's failure goes into `out`.
  bool Apply(const PlannedStep& planned, MigrationCheck& out, long long& ms) {
    try {
      ms = db_->Apply(StepOf(bundle_, *db_, planned, options_.run), lock_->request());
      return true;
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kMigrationFailed) throw;
      out.error = e;
      return false;
    }
  }

  bool Stop(MigrationCheck& out, Outcome outcome) {
    out.outcome = outcome;
    return false;
  }

  Objects Snapshot() { return Describe(db_->ReadCatalog()); }

  Driver* db_;
  std::unique_ptr<Driver> owned_;  // a fresh database made after a failure
  const Bundle& bundle_;
  const VerifyOptions& options_;
  VerifyObserver& observer_;
  std::unique_ptr<LockGuard> lock_;
  Plan plan_;
  std::optional<Objects> before_;  // the schema the next migration starts from
};

template <typename T>
std::string Count(const std::vector<T>& items, const std::string& what) {
  return std::to_string(items.size()) + " " + what;
}

}  // namespace

bool MigrationCheck::Failed() const {
  return outcome == Outcome::kNotUndone || outcome == Outcome::kUpFailed ||
         outcome == Outcome::kDownFailed || outcome == Outcome::kUpAgainFailed;
}

int VerifyResult::Checked() const {
  return static_cast<int>(std::count_if(migrations.begin(), migrations.end(),
                                        [](const MigrationCheck& c) { return c.Checked(); }));
}

int VerifyResult::Failed() const {
  return static_cast<int>(std::count_if(migrations.begin(), migrations.end(),
                                        [](const MigrationCheck& c) { return c.Failed(); }));
}

int VerifyResult::Passed() const { return Checked() - Failed(); }

int VerifyResult::NotChecked() const { return static_cast<int>(migrations.size()) - Checked(); }

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPassed:
      return "passed";
    case Outcome::kNotUndone:
      return "not undone";
    case Outcome::kUpFailed:
      return "up failed";
    case Outcome::kDownFailed:
      return "down failed";
    case Outcome::kUpAgainFailed:
      return "up again failed";
    case Outcome::kNoDown:
      return "no down";
    case Outcome::kNotReached:
      return "not reached";
  }
  return "?";
}

std::string WhyNotEmpty(Driver& db) {
  Catalog c = db.ReadCatalog();
  std::vector<std::string> parts;
  if (!c.tables.empty()) {
    std::string names;
    for (std::size_t i = 0; i < c.tables.size() && i < 3; ++i) {
      const CatalogTable& t = c.tables[i];
      names += (i ? ", " : "") + (t.schema.empty() ? "" : t.schema + ".") + t.name;
    }
    parts.push_back(Count(c.tables, "table(s)") + " (" + names +
                    (c.tables.size() > 3 ? ", ..." : "") + ")");
  }
  if (!c.views.empty()) parts.push_back(Count(c.views, "view(s)"));
  if (!c.sequences.empty()) parts.push_back(Count(c.sequences, "sequence(s)"));
  if (!c.types.empty()) parts.push_back(Count(c.types, "type(s)"));
  if (!c.functions.empty()) parts.push_back(Count(c.functions, "function(s)"));
  std::vector<HistoryRow> history = db.ReadHistory();
  if (!history.empty()) parts.push_back(Count(history, "migrate history row(s)"));
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") + parts[i];
  }
  return out;
}

VerifyResult Verify(Driver& db, const Bundle& bundle, const VerifyOptions& options,
                    VerifyObserver& observer) {
  auto t0 = std::chrono::steady_clock::now();
  bundle.manifest();  // parsed and checked against the header before anything is written
  if (!options.allow_existing) {
    if (std::string why = WhyNotEmpty(db); !why.empty()) {
      throw Error(ErrorCode::kUsage,
                  "the database is not empty: it has " + why +
                      ". verify applies and reverts every migration, so it wants an empty "
                      "scratch database: name one with --database or --env, let migrate make a "
                      "temporary one with --dev-url postgres://..., or pass --allow-existing to "
                      "check the pending migrations on top of what it has");
    }
  }
  Stairway stairway(db, bundle, options, observer);
  const Plan& plan = stairway.Start();
  VerifyResult result;
  Capabilities caps = db.GetCapabilities();
  result.database = caps.name + " " + caps.server_version;
  observer.OnStart(plan.steps.size());
  bool going = true;
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    MigrationCheck check;
    check.version = plan.steps[i].entry->version;
    check.slug = plan.steps[i].entry->slug;
    if (going) {
      StopIfAsked(options.run, plan.steps[i], result.migrations.size());
      going = stairway.Check(i, check);
    }
    observer.OnMigrationDone(check);
    result.migrations.push_back(std::move(check));
  }
  result.duration_ms = MillisSince(t0);
  return result;
}

}  // namespace migrate
