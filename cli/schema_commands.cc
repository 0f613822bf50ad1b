// `migrate drift` and `migrate baseline`: the live schema against the recorded one, and
// adopting a database built without migrate.
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "migrate/baseline.h"
#include "migrate/bundle.h"
#include "migrate/drift.h"
#include "migrate/import.h"
#include "migrate/redact.h"
#include "signals.h"
#include "style.h"

namespace migrate::cli {
namespace {

using json = nlohmann::ordered_json;

std::string Describe(const SchemaSnapshot& s) {
  return "the last " + s.event + (s.version.empty() ? "" : " (version " + s.version + ")") +
         " at " + s.taken_at + " by " + s.actor;
}

json SnapshotJson(const std::optional<SchemaSnapshot>& s) {
  if (!s) return nullptr;
  return {{"version", s->version},   {"event", s->event}, {"sha256", s->sha256},
          {"taken_at", s->taken_at}, {"actor", s->actor}, {"format", s->format}};
}

void PrintDriftJson(const DriftReport& report, bool accepted) {
  bool compared = report.comparison == DriftReport::Comparison::kCompared;
  std::cout << json{{"ok", accepted || (compared && !report.Drifted())},
                    {"drift", report.Drifted()},
                    {"compared", compared},
                    {"not_compared_because", report.WhyNotCompared()},
                    {"accepted", accepted},
                    {"snapshot", SnapshotJson(report.snapshot)},
                    {"live_sha256", report.live_sha256},
                    {"changes", json::parse(RenderDiffJson(report.changes))}}
                   .dump(2, ' ', false, json::error_handler_t::replace)
            << "\n";
}

// `drift` compares; `drift --accept` takes the live schema as the snapshot.
enum class DriftMode { kCompare, kAccept };

void PrintAccepted(std::ostream& out, const DriftReport& report) {
  if (report.comparison == DriftReport::Comparison::kCompared && report.changes.empty()) {
    out << "Nothing to accept: the live schema is the one recorded after "
        << Describe(*report.snapshot) << ".\n";
    return;
  }
  out << RenderDiff(report.changes) << "Accepted the live schema as the snapshot (";
  if (report.comparison == DriftReport::Comparison::kCompared) {
    out << report.changes.size() << " change(s) since " << Describe(*report.snapshot);
  } else {
    out << "not compared: " << report.WhyNotCompared();
  }
  out << ").\n";
}

void Drift(const Context& ctx, DriftMode mode) {
  bool accept = mode == DriftMode::kAccept;
  auto driver = ctx.OpenDatabase(CreateFile::kNo);
  DriftReport report = accept ? AcceptSchema(*driver, ctx.MakeRunOptions())
                              : CheckDrift(*driver, driver->ReadHistory());
  bool compared = report.comparison == DriftReport::Comparison::kCompared;
  if (ctx.options().json) {
    PrintDriftJson(report, accept);
    if (!accept && (!compared || report.Drifted())) {
      throw Reported(report.Drifted() ? ErrorCode::kDrift : ErrorCode::kUsage);
    }
    return;
  }
  std::ostream& out = ctx.out();
  if (accept) return PrintAccepted(out, report);
  if (!compared) {
    throw Error(ErrorCode::kUsage, report.WhyNotCompared() +
                                       ": nothing to compare the live schema with. 'migrate "
                                       "run' takes a snapshot after it applies something; "
                                       "'migrate drift --accept' takes one now");
  }
  if (!report.Drifted()) {
    out << "No drift: the live schema is the one recorded after " << Describe(*report.snapshot)
        << ".\n";
    return;
  }
  out << "The live schema differs from the one recorded after " << Describe(*report.snapshot)
      << ":\n";
  for (const CatalogChange& c : report.changes) {
    std::string line = RenderDiff({c});
    Tone tone = c.kind == CatalogChange::Kind::kAdded     ? Tone::kGood
                : c.kind == CatalogChange::Kind::kRemoved ? Tone::kError
                                                          : Tone::kWarning;
    out << "  " << Paint(out, tone, line.substr(0, 1)) << line.substr(1);
  }
  throw Error(ErrorCode::kDrift, std::to_string(report.changes.size()) +
                                     " change(s) since the last snapshot. Undo them, or keep "
                                     "them: put them in a migration and 'migrate drift --accept'");
}

// What the command line asked of `baseline`.
struct BaselineRequest {
  std::string version;
  std::string from;     // --from TOOL
  std::string table;    // --table: the tool's history table
  bool check = false;   // --check
  std::string dev_url;  // --dev-url
};

// What `--from` reads from the tool's table, after saying what it found.
ToolApplied ToolVersions(const Context& ctx, Driver& driver, const Bundle& bundle,
                         const BaselineRequest& request) {
  std::optional<ImportSource> source = ImportSourceNamed(request.from);
  if (!source) {
    throw Error(ErrorCode::kUsage, "--from " + request.from + ": not a tool migrate reads (" +
                                       ImportSourceNames() + ")");
  }
  std::optional<QualifiedName> table;
  if (!request.table.empty()) table = QualifiedName(request.table);
  ToolApplied applied = ReadToolApplied(driver, bundle, *source, table);
  ctx.out() << request.from << " applied " << applied.versions.size()
            << " migration(s) here, up to " << applied.versions.back() << " (read from "
            << applied.table.ToString() << ").\n";
  if (!applied.gaps.empty()) {
    std::string list;
    for (const std::string& v : applied.gaps) list += " " + v;
    std::cerr << Paint(std::cerr, Tone::kWarning, "warning") << ": " << request.from
              << " had not applied" << list
              << ", older than its newest: they stay pending, and 'run' applies them only "
                 "with --allow-out-of-order\n";
    if (request.check) {
      throw Error(ErrorCode::kUsage,
                  "--check compares with the migrations up to one version, and " + request.from +
                      " skipped some: baseline without --check, or apply them with " +
                      request.from + " first");
    }
  }
  return applied;
}

void Baseline(const Context& ctx, const BaselineRequest& request) {
  if (!request.table.empty() && request.from.empty()) {
    throw Error(ErrorCode::kUsage,
                "--table names the history table of the tool --from reads: "
                "give --from TOOL too");
  }
  if (request.version.empty() == request.from.empty()) {
    throw Error(ErrorCode::kUsage,
                "baseline needs either a VERSION or --from TOOL (the tool's history says which "
                "migrations are applied), not both");
  }
  Bundle bundle = Bundle::Open(ctx.DistPath(), Bundle::Verify::kListing);
  if (!request.version.empty() && !bundle.manifest().Find(request.version)) {
    throw Error(ErrorCode::kUsage,  // before a scratch database is made for --check
                "baseline " + request.version + ": no migration with that version in the bundle");
  }
  auto driver = ctx.OpenDatabase(CreateFile::kNo);
  std::optional<ToolApplied> tool;
  if (!request.from.empty()) tool = ToolVersions(ctx, *driver, bundle, request);
  const std::string& version = tool ? tool->versions.back() : request.version;
  if (request.check) {
    std::vector<CatalogChange> changes;
    {
      auto scratch = ctx.OpenScratch(request.dev_url);
      changes = CompareWithMigrations(*driver, *scratch, bundle, version, InstallStopSignals(),
                                      tool ? std::optional(tool->table) : std::nullopt);
    }
    if (!changes.empty()) {
      std::cerr << "The database is not the schema the migrations up to " << version
                << " build (+ it has, - it lacks, ~ it differs):\n"
                << RenderDiff(changes);
      throw Error(ErrorCode::kDrift,
                  "baseline refused: " + std::to_string(changes.size()) +
                      " difference(s) above. Fix the database or pick the version it matches");
    }
    ctx.out() << "Checked: the database is the schema the migrations up to " << version
              << " build.\n";
  }
  RunOptions options = ctx.MakeRunOptions();
  RunResult result = tool ? RunBaselineOf(*driver, bundle, tool->versions, options)
                          : RunBaseline(*driver, bundle, version, options);
  ctx.out() << "Baselined " << result.steps.size() << " migration(s) up to " << version
            << ": recorded as applied without running them; schema snapshot taken.\n";
}

}  // namespace

void RegisterSchemaCommands(CLI::App& app, const GlobalOptions& globals, Action& action) {
  auto* drift = app.add_subcommand("drift", "Compare the live schema with the last snapshot");
  auto accept = std::make_shared<bool>(false);
  drift->add_flag("--accept", *accept,
                  "Take the live schema as the snapshot (after a reviewed change)");
  drift->callback([&globals, &action, accept] {
    DriftMode mode = *accept ? DriftMode::kAccept : DriftMode::kCompare;
    action = [&globals, mode] { Drift(Context(globals), mode); };
  });

  auto* baseline = app.add_subcommand(
      "baseline", "Adopt a database built without migrate: record migrations up to V as applied");
  auto request = std::make_shared<BaselineRequest>();
  baseline->add_option("VERSION", request->version, "The newest migration the database has");
  baseline->add_option(
      "--from", request->from,
      "Read what is applied from this tool's history table: " + ImportSourceNames());
  baseline->add_option("--table", request->table,
                       "With --from: the tool's history table, if not its default");
  baseline->add_flag("--check", request->check,
                     "First compare the database with what the migrations up to V build");
  baseline->add_option("--dev-url", request->dev_url,
                       "PostgreSQL server for the temporary database of --check");
  baseline->callback([&globals, &action, request] {
    action = [&globals, request] { Baseline(Context(globals), *request); };
  });
}

}  // namespace migrate::cli
