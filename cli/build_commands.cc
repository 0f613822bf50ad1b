// `migrate new` and `migrate build`.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "migrate/build.h"
#include "migrate/review.h"
#include "registry.h"
#include "style.h"

namespace migrate::cli {
namespace fs = std::filesystem;

std::string UtcStamp(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  return buf;
}

bool VersionTaken(const fs::path& dir, const std::string& version) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    auto parsed = ParseMigrationFileName(e.path().filename().string());
    if (parsed && CompareVersions(parsed->version, version) == 0) return true;
  }
  return false;
}

namespace {

void WriteNew(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw Error(ErrorCode::kIo, "cannot write " + path.string());
}

void NewMigration(const Context& ctx, const std::string& name) {
  std::string slug = MakeSlug(name);
  if (slug.empty()) {
    throw Error(ErrorCode::kUsage,
                "the name '" + name + "' has no letters or digits to make a slug");
  }
  std::vector<SourceDir> dirs = ResolveSources(ctx.config());
  if (dirs.empty()) throw Error(ErrorCode::kConfig, "[project] migrations names no folder");
  fs::path dir = dirs.front().path;
  fs::create_directories(dir);
  std::time_t now = std::time(nullptr);
  std::string version = UtcStamp(now);
  while (VersionTaken(dir, version)) version = UtcStamp(++now);
  std::string base = version + "_" + slug;
  fs::path up = dir / (base + ".up.sql");
  fs::path down = dir / (base + ".down.sql");
  WriteNew(up, "-- " + base + ": " + name +
                   "\n"
                   "-- Runs in one transaction together with its history row. Options, as comments "
                   "at the top:\n"
                   "--   -- migrate:no-transaction        (e.g. CREATE INDEX CONCURRENTLY)\n"
                   "--   -- migrate:lock-timeout 5s       -- migrate:statement-timeout 10min\n"
                   "--   -- migrate:irreversible          (then delete the .down.sql file)\n"
                   "-- A dialect variant <name>.postgres.up.sql or <name>.sqlite.up.sql overrides "
                   "this file.\n\n");
  WriteNew(down, "-- " + base + ": undo what " + base + ".up.sql does, in reverse order.\n\n");
  ctx.out() << "Created " << up.string() << "\n        " << down.string() << "\n";
}

// `path` relative to the working directory when it is below it, else as it is.
std::string Shown(const fs::path& path) {
  std::error_code ec;
  fs::path rel = fs::relative(path, fs::current_path(), ec);
  return ec || rel.empty() || *rel.begin() == ".." ? path.string() : rel.string();
}

std::size_t CountErrors(const Diagnostics& diagnostics) {
  return std::count_if(diagnostics.begin(), diagnostics.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

// The findings: new files' in full, settled files' warnings one line per rule (review.h).
void PrintFindings(const BuildOutcome& outcome, bool lint_all) {
  Review review = ReviewFindings(outcome.loaded.diagnostics, outcome.settled, lint_all);
  for (const Diagnostic& d : review.listed) std::cerr << Painted(std::cerr, d) << "\n";
  if (review.summed.empty()) return;
  std::cerr << review.summed_findings
            << " warning(s) in migrations the previous bundle already held, unchanged "
               "('--lint-all' lists them):\n";
  for (const RuleSummary& r : review.summed) {
    std::cerr << "  " << r.rule << ": " << r.findings << " in " << r.files << " file(s)\n";
  }
}

void Build(const Context& ctx, BuildMode mode, BuildOptions options, bool lint_all) {
  auto t0 = std::chrono::steady_clock::now();
  fs::path dist = ctx.DistPath();
  if (!lint_all) options.previous = dist;  // --lint-all: every migration is new
  BuildOutcome outcome =
      migrate::Build(MakeBuildInputs(ctx.config()), options, DriverToolchain(), dist, mode);
  const LoadResult& loaded = outcome.loaded;
  PrintFindings(outcome, lint_all);
  std::string shown = Shown(dist);
  if (outcome.failed) {
    throw Error(ErrorCode::kValidation, "build failed with " +
                                            std::to_string(CountErrors(loaded.diagnostics)) +
                                            " error(s); " + shown + " was left as it was");
  }
  std::size_t files = 0;
  for (const Migration& m : loaded.set.migrations) files += m.files.size();
  if (mode == BuildMode::kCheck) {
    for (const std::string& line : outcome.stale) std::cerr << "stale: " << line << "\n";
    if (!outcome.stale.empty()) {
      throw Error(ErrorCode::kValidation,
                  shown + " is out of date with the sources: run 'migrate build'");
    }
    ctx.out() << shown << " is up to date (" << loaded.set.migrations.size() << " migrations) in "
              << MillisSince(t0) << " ms\n";
    return;
  }
  const BundleWrite& wrote = outcome.written;
  if (wrote.unchanged) {
    ctx.out() << "Built " << loaded.set.migrations.size() << " migrations (" << files
              << " files): " << shown << " was already up to date, nothing written, in "
              << MillisSince(t0) << " ms\n";
    return;
  }
  ctx.out() << "Built " << loaded.set.migrations.size() << " migrations (" << files
            << " files) into " << shown << " in " << MillisSince(t0) << " ms";
  if (wrote.linked)
    ctx.out() << " (" << wrote.written << " written, " << wrote.linked << " unchanged)";
  ctx.out() << "\n";
}

}  // namespace

void RegisterBuildCommands(CLI::App& app, const GlobalOptions& globals, Action& action) {
  auto* new_cmd = app.add_subcommand("new", "Create a timestamped up/down migration pair");
  auto name = std::make_shared<std::string>();
  new_cmd->add_option("name", *name, "What the migration does, e.g. add_orders")->required();
  new_cmd->callback([&globals, &action, name] {
    action = [&globals, name] { NewMigration(Context(globals), *name); };
  });

  auto* build = app.add_subcommand("build", "Validate the migrations and write dist/migrations");
  auto check = std::make_shared<bool>(false);
  auto strict = std::make_shared<bool>(false);
  auto no_rehearse = std::make_shared<bool>(false);
  auto verify_url = std::make_shared<std::string>();
  build->add_flag("--check", *check, "Write nothing; fail when dist/ is out of date");
  auto lint_all = std::make_shared<bool>(false);
  build->add_flag("--strict", *strict,
                  "Fail on lint warnings too (in migrations the previous bundle did not hold)");
  build->add_flag("--lint-all", *lint_all,
                  "Review every migration as new: list every finding (and --strict fails on "
                  "any), also those of migrations already in the previous bundle");
  build->add_flag("--no-rehearse", *no_rehearse,
                  "Skip applying the chain to an in-memory SQLite database");
  build->add_option("--verify-url", *verify_url,
                    "Then run verify on the bundle: a postgres:// server (temporary database) "
                    "or an empty SQLite database");
  build->callback([&globals, &action, check, strict, lint_all, no_rehearse, verify_url] {
    action = [&globals, check, strict, lint_all, no_rehearse, verify_url] {
      BuildOptions options;
      options.strict = *strict;
      options.rehearse = !*no_rehearse;
      Context ctx(globals);
      Build(ctx, *check ? BuildMode::kCheck : BuildMode::kWrite, options, *lint_all);
      if (!verify_url->empty()) VerifyBundleOn(ctx, *verify_url);
    };
  });
}

}  // namespace migrate::cli
