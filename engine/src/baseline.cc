#include "migrate/baseline.h"

#include <functional>
#include <set>

#include "migrate/lock.h"
#include "migrate/naming.h"
#include "migrate/tool_history.h"
#include "migrate/transaction.h"
#include "run_support.h"

namespace migrate {

namespace {

// Records the planned steps `keep` selects as baselined (see RunBaseline).
RunResult RecordBaseline(Driver& driver, const Bundle& bundle, const RunOptions& options,
                         const std::function<bool(const std::string&)>& keep) {
  driver.EnsureMetadata();
  LockGuard lock(driver, MakeLockRequest(options.lease), options.lock_wait);
  if (!driver.ReadHistory().empty()) {
    throw Error(ErrorCode::kUsage,
                "the database already has migrate history: baseline adopts a database migrate "
                "has never run. See 'migrate status'");
  }
  Plan plan = PlanUp(bundle.manifest(), {}, driver.GetDialect().Name(), std::nullopt);
  RunResult result;
  std::vector<Step> steps;
  for (const PlannedStep& p : plan.steps) {
    if (!keep(p.entry->version)) continue;
    Step step = MakeStep(p, "", driver.GetDialect(), {});  // nothing runs: no bytes needed
    step.record_as = HistoryState::kBaseline;
    result.steps.push_back({step.version, step.slug, Direction::kUp, 0});
    steps.push_back(std::move(step));
  }
  if (!steps.empty()) {
    StepSink& sink = driver.Steps();
    InTransaction(
        sink,
        [&] {
          for (const Step& step : steps) sink.RecordDone(step, lock.request(), 0);
        },
        steps.back());
  }
  RecordSnapshot(driver, "baseline", lock.request());
  return result;
}

}  // namespace

RunResult RunBaseline(Driver& driver, const Bundle& bundle, const std::string& version,
                      const RunOptions& options) {
  if (!bundle.manifest().Find(version)) {
    throw Error(ErrorCode::kUsage,
                "baseline " + version + ": no migration with that version in the bundle");
  }
  return RecordBaseline(driver, bundle, options,
                        [&](const std::string& v) { return CompareVersions(v, version) <= 0; });
}

RunResult RunBaselineOf(Driver& driver, const Bundle& bundle,
                        const std::vector<std::string>& versions, const RunOptions& options) {
  std::set<std::string> keep(versions.begin(), versions.end());
  return RecordBaseline(driver, bundle, options,
                        [&](const std::string& v) { return keep.count(v) > 0; });
}

namespace {

// Whether `table` has `column` (read, not written: the driver fails on a missing one).
bool HasColumn(Driver& driver, const QualifiedName& table, const std::string& column) {
  try {
    return driver.ReadForeignTable(table, {column}).has_value();
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

ToolApplied ReadToolApplied(Driver& driver, const Bundle& bundle, ImportSource source,
                            const std::optional<QualifiedName>& table) {
  ToolTable tool = ToolHistoryTable(source);
  if (table) tool.table = *table;
  ToolApplied out;
  out.table = tool.table;
  std::string name(ImportSourceName(source));
  std::optional<std::vector<TextRow>> rows;
  try {
    rows = driver.ReadForeignTable(tool.table, tool.columns);
  } catch (const Error& e) {
    throw Error(ErrorCode::kUsage, "cannot read " + name + "'s history from " +
                                       out.table.ToString() + " (" + e.what() + "): is it " + name +
                                       "'s table? Name the right one with --table");
  }
  if (!rows) {
    throw Error(ErrorCode::kUsage, "no table " + out.table.ToString() +
                                       " in the database: " + name +
                                       " keeps its history there. Name the table it uses with "
                                       "--table, or check --database/--env");
  }
  if (source == ImportSource::kDbmate && HasColumn(driver, tool.table, "dirty")) {
    // golang-migrate names its table the same, and keeps only its newest version there.
    throw Error(ErrorCode::kUsage, out.table.ToString() +
                                       " has golang-migrate's dirty column: it is golang-migrate's "
                                       "history, which holds only the newest version. Use --from "
                                       "golang-migrate");
  }
  std::vector<std::string> all;  // those this database can have: with an up file for it
  for (const ManifestEntry& e : bundle.manifest().migrations) {
    if (e.Find(Direction::kUp, driver.GetDialect().Name())) all.push_back(e.version);
  }
  out.versions = ToolAppliedVersions(source, *rows, all, out.table.ToString());
  std::set<std::string> applied(out.versions.begin(), out.versions.end());
  for (const ManifestEntry& e : bundle.manifest().migrations) {
    if (!applied.count(e.version) && CompareVersions(e.version, out.versions.back()) < 0 &&
        e.Find(Direction::kUp, driver.GetDialect().Name())) {
      out.gaps.push_back(e.version);
    }
  }
  return out;
}

namespace {

// `catalog` without the table `name` (in any schema when `name` has none), its sequences
// included: another tool's history table, which no migration creates.
void LeaveOut(Catalog& catalog, const QualifiedName& name) {
  auto named = [&](const std::string& schema, const std::string& table) {
    return table == name.table() && (name.schema().empty() || schema == name.schema());
  };
  std::erase_if(catalog.tables, [&](const CatalogTable& t) { return named(t.schema, t.name); });
  std::erase_if(catalog.sequences, [&](const CatalogSequence& s) {
    std::string table = s.owned_by.substr(0, s.owned_by.rfind('.'));  // [schema.]table.column
    std::size_t dot = table.rfind('.');
    if (dot == std::string::npos) return named(s.schema, table);
    return named(table.substr(0, dot), table.substr(dot + 1));
  });
}

}  // namespace

std::vector<CatalogChange> CompareWithMigrations(Driver& target, Driver& scratch,
                                                 const Bundle& bundle, const std::string& version,
                                                 const std::atomic<bool>* stop,
                                                 const std::optional<QualifiedName>& leave_out) {
  RunOptions options;
  options.to = version;
  options.stop = stop;
  options.schema_drift = SchemaDriftPolicy::kOff;
  RunObserver quiet;
  RunUp(scratch, bundle, options, quiet);
  Catalog live = target.ReadCatalog();
  if (leave_out) LeaveOut(live, *leave_out);
  return DiffCatalogs(Describe(scratch.ReadCatalog()), Describe(live));
}

}  // namespace migrate
