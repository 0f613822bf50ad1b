// `migrate run`, `down`, `status` and `unlock`.
#include <algorithm>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "live_output.h"
#include "migrate/bundle.h"
#include "migrate/redact.h"
#include "migrate/runner.h"
#include "open_beside.h"
#include "run_output.h"
#include "signals.h"
#include "style.h"

namespace migrate::cli {
namespace {

using nlohmann::json;

// What the command line asked of `run`.
struct RunRequest {
  std::optional<std::string> to;
  DryRun dry = DryRun::kNo;
  bool allow_out_of_order = false;  // --allow-out-of-order
  bool single_transaction = false;  // --single-transaction
};

// Whether the database is a SQLite file that does not exist yet.
bool NewSqliteFile(const Context& ctx) {
  std::string path = SqlitePathOfUrl(ctx.DatabaseUrl());
  return !path.empty() && path != ":memory:" && !std::filesystem::exists(path);
}

// Opens the database for run or down. A dry run opens it read-only; on a SQLite file that
// does not exist yet (`empty_database`) it rehearses on an empty database in memory and
// creates no file.
std::unique_ptr<Driver> OpenForRun(const Context& ctx, DryRun dry, CreateFile create,
                                   bool empty_database) {
  if (empty_database) {
    DriverOptions options;
    options.tables = ctx.config().tables;
    return OpenDriver("sqlite::memory:", options);
  }
  if (dry == DryRun::kYes) return ctx.OpenDatabase(CreateFile::kNo, /*read_only=*/true);
  return ctx.OpenDatabase(create);
}

// Warns when the server is older than the PostgreSQL version the migrations are written for.
void WarnIfOlderServer(Driver& driver, const RunOptions& options, RunObserver& observer) {
  auto warning = OlderServerWarning(driver.GetCapabilities(), options.postgres_version);
  if (warning) observer.OnWarning(*warning);
}

void RunOrDown(
    const Context& ctx, Direction direction, DryRun dry,
    const std::function<RunResult(Driver&, const Bundle&, const RunOptions&, RunObserver&)>& go,
    RunOptions options) {
  auto t0 = std::chrono::steady_clock::now();
  bool new_file = NewSqliteFile(ctx);
  bool empty_database = dry == DryRun::kYes && new_file;
  auto open_database = [&] {
    return OpenForRun(ctx, dry, direction == Direction::kUp ? CreateFile::kYes : CreateFile::kNo,
                      empty_database);
  };
  // A SQLite file to be created: every file verified first, so a tampered bundle creates
  // nothing. Else the database opens beside the bundle's read (names only; each file is
  // hashed before it runs), with the history for run's completeness check (design §7).
  Opened opened =
      new_file ? Opened{Bundle::Open(ctx.DistPath(), Bundle::Verify::kEveryFile), open_database(),
                        std::nullopt}
               : OpenBeside([&] { return Bundle::Open(ctx.DistPath(), Bundle::Verify::kNames); },
                            open_database, direction == Direction::kUp && !options.to);
  options.history = opened.history ? &*opened.history : nullptr;
  const Bundle& bundle = opened.bundle;
  auto& driver = opened.driver;
  options.stop = InstallStopSignals();
  options.dry_run = dry == DryRun::kYes;
  std::unique_ptr<RunObserver> observer = MakeRunObserver(ctx, dry, *driver);
  WarnIfOlderServer(*driver, options, *observer);
  RunResult result = go(*driver, bundle, options, *observer);
  observer.reset();  // the live line cleared, the events' thread stopped
  ReportRun(ctx, {result, direction, dry, std::string(driver->GetDialect().Name()), empty_database,
                  MillisSince(t0)});
}

// Runs `body` (run or down); with --json, a failure ends the events with a summary line too.
void AsJsonLines(const GlobalOptions& globals, const std::function<void()>& body) {
  if (!globals.json) return body();
  try {
    body();
  } catch (const Reported&) {
    throw;
  } catch (const Error& e) {
    ReportRunFailure(e);
    throw Reported(e.code());
  } catch (const std::exception& e) {
    ReportRunFailure(Error(ErrorCode::kInternal, e.what()));
    throw Reported(ErrorCode::kInternal);
  }
}

void Run(const Context& ctx, const RunRequest& request) {
  RunOptions options = ctx.MakeRunOptions();
  options.to = request.to;
  options.allow_out_of_order |= request.allow_out_of_order;
  options.single_transaction |= request.single_transaction;
  RunOrDown(ctx, Direction::kUp, request.dry, RunUp, options);
}

void Down(const Context& ctx, const DownTarget& target, DryRun dry) {
  RunOrDown(
      ctx, Direction::kDown, dry,
      [&](Driver& d, const Bundle& b, const RunOptions& o, RunObserver& obs) {
        return RunDown(d, b, target, o, obs);
      },
      ctx.MakeRunOptions());
}

void PrintStatusText(const Context& ctx, const StatusReport& report, long long ms) {
  std::ostream& out = ctx.out();
  out << "Database: " << RedactUrl(ctx.DatabaseUrl()) << " (" << report.capabilities.name << " "
      << report.capabilities.server_version << ")\n";
  int counts[5] = {0, 0, 0, 0, 0};  // by StatusEntry::State
  for (const StatusEntry& e : report.entries) {
    ++counts[static_cast<int>(e.state)];
    std::string word(StatusStateName(e.state));
    word.resize(9, ' ');
    bool done = e.state == StatusEntry::State::kApplied || e.state == StatusEntry::State::kBaseline;
    Tone tone = done                                      ? Tone::kGood
                : e.state == StatusEntry::State::kPending ? Tone::kWarning
                                                          : Tone::kError;
    out << "  " << Paint(out, tone, word) << e.version << "  " << e.slug;
    if (e.row && e.state != StatusEntry::State::kPending) {
      out << "  " << e.row->applied_at << "  " << e.row->duration_ms << " ms";
    }
    out << "\n";
  }
  for (const Finding& f : report.findings)
    out << "  " << (f.Blocking() ? Paint(out, Tone::kError, "!") : Paint(out, Tone::kWarning, "~"))
        << " " << f.message << "\n";
  if (report.lock) {
    out << "Lock held by " << report.lock->holder << " since " << report.lock->acquired_at
        << " (lease until " << report.lock->expires_at << ")\n";
  }
  out << counts[0] << " applied, " << counts[1] << " pending";
  if (counts[2]) out << ", " << counts[2] << " interrupted";
  if (counts[3]) out << ", " << counts[3] << " missing from the bundle";
  if (counts[4]) out << ", " << counts[4] << " baselined";
  out << " (" << ms << " ms).\n";
}

void Status(const Context& ctx) {
  auto t0 = std::chrono::steady_clock::now();
  Opened opened =
      OpenBeside([&] { return Bundle::Open(ctx.DistPath(), Bundle::Verify::kNames); },
                 [&] { return ctx.OpenDatabase(CreateFile::kNo); }, /*read_history=*/true);
  StatusReport report = GetStatus(*opened.driver, opened.bundle, std::move(opened.history));
  if (!ctx.options().json) {
    PrintStatusText(ctx, report, MillisSince(t0));
  } else {
    json entries = json::array();
    for (const StatusEntry& e : report.entries) {
      json j{{"version", e.version},
             {"slug", e.slug},
             {"state", std::string(StatusStateName(e.state))}};
      if (e.row) {
        j["applied_at"] = e.row->applied_at;
        j["duration_ms"] = e.row->duration_ms;
        j["checksum"] = e.row->checksum;
        j["applied_by"] = e.row->applied_by;
      }
      entries.push_back(std::move(j));
    }
    json findings = json::array();
    for (const Finding& f : report.findings) {
      findings.push_back({{"version", f.version}, {"message", f.message}});
    }
    json j{{"database", RedactUrl(ctx.DatabaseUrl())},
           {"driver", report.capabilities.name},
           {"server_version", report.capabilities.server_version},
           {"server_version_num", report.capabilities.server_version_num},
           {"migrations", entries},
           {"findings", findings},
           {"duration_ms", MillisSince(t0)}};
    j["lock"] = report.lock ? json{{"holder", report.lock->holder},
                                   {"acquired_at", report.lock->acquired_at},
                                   {"expires_at", report.lock->expires_at}}
                            : json(nullptr);
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  // Drift is a finding worth a non-zero exit, so scripts can gate on `status`.
  auto blocking = std::find_if(report.findings.begin(), report.findings.end(),
                               [](const Finding& f) { return f.Blocking(); });
  if (blocking != report.findings.end()) {
    throw Error(blocking->Code(), "problems found; see above");
  }
}

void Unlock(const Context& ctx) {
  auto driver = ctx.OpenDatabase(CreateFile::kNo);
  std::optional<LockHolder> holder = driver->ForceUnlock();
  if (holder) {
    ctx.out() << "Freed the migration lock held by " << holder->holder << " (run " << holder->run_id
              << ") since " << holder->acquired_at << ".\n";
  } else {
    ctx.out() << "The migration lock was not held.\n";
  }
}

// Lists interrupted migrations (no `version`), or resolves `version` as `action` says.
void Repair(const Context& ctx, const std::string& version,
            const std::optional<RepairAction>& action) {
  auto driver = ctx.OpenDatabase(CreateFile::kNo);
  if (version.empty()) {
    int interrupted = 0;
    for (const HistoryRow& row : driver->ReadHistory()) {
      if (row.state != HistoryState::kStarted) continue;
      ++interrupted;
      ctx.out() << "  " << HistoryStateName(row.state) << "  " << row.version << "  " << row.slug
                << "  (" << row.progress << " statement(s) completed, by " << row.applied_by
                << ")\n";
    }
    ctx.out() << (interrupted ? "Check each one by hand, then: migrate repair VERSION --applied "
                                "(you finished it) or --forget (you undid it; run applies it "
                                "again).\n"
                              : "Nothing to repair.\n");
    return;
  }
  if (!action) {
    throw Error(ErrorCode::kUsage,
                "say what was done: --applied or --forget (an interrupted migration), or "
                "--accept (an applied file changed on purpose)");
  }
  if (*action == RepairAction::kAccept) {
    Bundle bundle = Bundle::Open(ctx.DistPath(), Bundle::Verify::kListing);
    RunAccept(*driver, bundle, version, ctx.MakeRunOptions());
    ctx.out() << "Accepted " << version
              << ": the changed file's checksums are recorded; the log keeps the old ones.\n";
    return;
  }
  RunRepair(*driver, version, *action, ctx.MakeRunOptions());
  ctx.out() << "Repaired " << version << ": "
            << (*action == RepairAction::kMarkApplied
                    ? "recorded as applied.\n"
                    : "history row removed; 'migrate run' applies it again.\n");
}

DryRun DryRunIf(bool flag) { return flag ? DryRun::kYes : DryRun::kNo; }

void RegisterRun(CLI::App& app, const GlobalOptions& globals, Action& action) {
  auto* run = app.add_subcommand("run", "Apply pending migrations from dist/migrations");
  auto to = std::make_shared<std::string>();
  auto dry = std::make_shared<bool>(false);
  auto out_of_order = std::make_shared<bool>(false);
  auto single = std::make_shared<bool>(false);
  run->add_option("--to", *to, "Apply up to and including this version");
  run->add_flag("--dry-run", *dry,
                "Rehearse the pending migrations on the database, then undo them: change "
                "nothing");
  run->add_flag("--allow-out-of-order", *out_of_order,
                "Also apply pending migrations older than the newest applied one");
  run->add_flag("--single-transaction", *single,
                "Apply every pending migration in one transaction: all or nothing");
  run->callback([&globals, &action, to, dry, out_of_order, single] {
    RunRequest request{to->empty() ? std::nullopt : std::optional<std::string>(*to), DryRunIf(*dry),
                       *out_of_order, *single};
    action = [&globals, request] { AsJsonLines(globals, [&] { Run(Context(globals), request); }); };
  });
}

void RegisterDown(CLI::App& app, const GlobalOptions& globals, Action& action) {
  auto* down = app.add_subcommand("down", "Revert applied migrations, newest first");
  auto count = std::make_shared<int>(1);
  auto down_to = std::make_shared<std::string>();
  auto all = std::make_shared<bool>(false);
  auto dry = std::make_shared<bool>(false);
  auto* n =
      down->add_option("N", *count, "How many to revert (default 1)")->check(CLI::PositiveNumber);
  auto* to_opt = down->add_option("--to", *down_to, "Revert everything newer than this version");
  auto* all_flag = down->add_flag("--all", *all, "Revert every applied migration");
  n->excludes(to_opt)->excludes(all_flag);
  to_opt->excludes(all_flag);
  down->add_flag("--dry-run", *dry, "Rehearse the reverts on the database, then undo them");
  down->callback([&globals, &action, count, down_to, all, dry] {
    DownTarget target;
    if (*all) {
      target.mode = DownTarget::Mode::kAll;
    } else if (!down_to->empty()) {
      target.mode = DownTarget::Mode::kTo;
      target.to = *down_to;
    } else {
      target.count = *count;
    }
    action = [&globals, target, dry] {
      AsJsonLines(globals, [&] { Down(Context(globals), target, DryRunIf(*dry)); });
    };
  });
}

void RegisterRepair(CLI::App& app, const GlobalOptions& globals, Action& action) {
  auto* repair = app.add_subcommand("repair", "Resolve an interrupted no-transaction migration");
  auto version = std::make_shared<std::string>();
  auto applied = std::make_shared<bool>(false);
  auto forget = std::make_shared<bool>(false);
  auto accept = std::make_shared<bool>(false);
  repair->add_option("VERSION", *version, "The interrupted migration (none: list them)");
  auto* a =
      repair->add_flag("--applied", *applied, "You finished it by hand: record it as applied");
  auto* f = repair->add_flag("--forget", *forget, "You undid it by hand: remove its history row");
  auto* c = repair->add_flag("--accept", *accept,
                             "Its applied file was changed on purpose: record the new checksums");
  a->excludes(f)->excludes(c);
  f->excludes(c);
  repair->callback([&globals, &action, version, applied, forget, accept] {
    std::optional<RepairAction> what;
    if (*applied + *forget + *accept == 1) {
      what = *applied  ? RepairAction::kMarkApplied
             : *forget ? RepairAction::kForget
                       : RepairAction::kAccept;
    }
    action = [&globals, version, what] { Repair(Context(globals), *version, what); };
  });
}

}  // namespace

void RegisterRunCommands(CLI::App& app, const GlobalOptions& globals, Action& action) {
  RegisterRun(app, globals, action);
  RegisterDown(app, globals, action);
  auto* status = app.add_subcommand("status", "Show applied and pending migrations, and drift");
  status->callback([&globals, &action] { action = [&globals] { Status(Context(globals)); }; });
  RegisterRepair(app, globals, action);
  auto* unlock = app.add_subcommand("unlock", "Free the migration lock by hand");
  unlock->callback([&globals, &action] { action = [&globals] { Unlock(Context(globals)); }; });
}

}  // namespace migrate::cli
