// `migrate diff` (write the migration from the declared schema, or --check that the
// migrations build it) and `migrate inspect` (a live database's catalog as schema/ files).
#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.h"
#include "migrate/build.h"
#include "migrate/declared_schema.h"
#include "migrate/naming.h"
#include "migrate/redact.h"
#include "signals.h"
#include "style.h"

namespace migrate::cli {
namespace fs = std::filesystem;
namespace {

struct DiffRequest {
  std::string name;
  std::string dialect;
  std::string dev_url;
  std::vector<std::string> renames;
  bool check = false;
};

// An empty database of `dialect` that nobody else uses: SQLite in memory; PostgreSQL a
// temporary database on the dev server (--dev-url, dev_url), else on the target's server.
std::unique_ptr<Driver> Scratch(const Context& ctx, const std::string& dialect,
                                const std::string& dev_flag) {
  DriverOptions options;
  options.tables = ctx.config().tables;
  if (dialect == kDialectSqlite) return OpenScratchLike("sqlite::memory:", "", options);
  std::string url = ctx.DevUrl(dev_flag);
  if (url.empty() && DialectOfUrl(ctx.DatabaseUrl()) == kDialectPostgres) url = ctx.DatabaseUrl();
  if (DialectOfUrl(url) != kDialectPostgres) {
    throw Error(ErrorCode::kUsage,
                "a PostgreSQL diff needs a server for its temporary databases: give --dev-url "
                "postgres://... or dev_url in the environment");
  }
  return OpenScratchLike(url, url, options);
}

MigrationSet LoadSet(const Context& ctx, const std::string& dialect) {
  LoadResult loaded = LoadMigrationSet(ResolveSources(ctx.config()), {FindDialect(dialect)},
                                       BuildPostgresVersion(ctx.config()));
  std::size_t errors = 0;
  for (const Diagnostic& d : loaded.diagnostics) {
    if (d.severity != Severity::kError) continue;
    std::cerr << Painted(std::cerr, d) << "\n";
    ++errors;
  }
  if (errors) {
    throw Error(ErrorCode::kValidation, std::to_string(errors) +
                                            " error(s) in the migrations: fix them before "
                                            "comparing them with the declared schema");
  }
  return std::move(loaded.set);
}

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw Error(ErrorCode::kIo, "cannot write " + path.string());
}

// Whether `version` is taken in `set` (every source folder) or by a file in `dir`.
bool TakenBy(const MigrationSet& set, const fs::path& dir, const std::string& version) {
  for (const Migration& m : set.migrations) {
    if (CompareVersions(m.version, version) == 0) return true;
  }
  return VersionTaken(dir, version);
}

void PrintMisses(const char* what, const std::vector<CatalogChange>& misses) {
  if (misses.empty()) return;
  std::cerr << Paint(std::cerr, Tone::kWarning, "warning") << ": " << what
            << " (+ has, - lacks, ~ differs); review the files and finish them by hand:\n"
            << RenderDiff(misses);
}

// One dialect's side of a diff: the migrations replayed, the declared schema replayed.
struct Side {
  std::string dialect;
  MigrationSet set;
  std::unique_ptr<Driver> current_db;  // holds `current`: the generated files are tried there
  Catalog current;
  Catalog declared;
};

Side Replay(const Context& ctx, const DiffRequest& request, const std::string& dialect) {
  Side side{dialect, LoadSet(ctx, dialect), nullptr, {}, {}};
  fs::path schema_dir = ctx.config().root / ctx.config().schema;
  std::vector<SchemaFile> files = LoadSchemaFiles(schema_dir, dialect, ctx.config().schema);
  side.current_db = Scratch(ctx, dialect, request.dev_url);
  int version = BuildPostgresVersion(ctx.config());
  try {
    side.current = ReplayMigrations(*side.current_db, side.set, version, InstallStopSignals());
  } catch (const Error& e) {
    // A migration that fails on an empty database fails the build too: the same exit code.
    if (e.code() != ErrorCode::kMigrationFailed) throw;
    throw Error(ErrorCode::kValidation,
                std::string(e.what()) + " (replaying the migrations on an empty " + dialect +
                    " database; 'migrate build' checks them)",
                e.where(), e.sqlstate());
  }
  auto declared_db = Scratch(ctx, dialect, request.dev_url);
  side.declared = ReplaySchema(*declared_db, files, version, InstallStopSignals());
  return side;
}

// `--check`: whether each dialect's migrations build the declared schema.
void Check(const Context& ctx, const std::vector<Side>& sides) {
  std::size_t differences = 0;
  for (const Side& side : sides) {
    std::vector<CatalogChange> changes =
        DiffCatalogs(Describe(side.current), Describe(side.declared));
    std::string where = "(" + ctx.config().schema + "/, " + side.dialect + ")";
    if (changes.empty()) {
      ctx.out() << "The migrations build the declared schema " << where << ".\n";
      continue;
    }
    std::cerr << "The migrations do not build the declared schema " << where
              << ": + it has, - it lacks, ~ it differs:\n"
              << RenderDiff(changes);
    differences += changes.size();
  }
  if (differences) {
    throw Error(ErrorCode::kDrift, std::to_string(differences) +
                                       " difference(s): 'migrate diff NAME' writes the migration");
  }
}

void Report(const std::string& dialect, const SchemaDiff& diff) {
  std::string on = " on " + dialect;
  PrintMisses(("the generated up does not reach the declared schema exactly" + on).c_str(),
              diff.up_misses);
  PrintMisses(("the generated down does not come back to the migrations' schema" + on).c_str(),
              diff.down_misses);
  for (const std::string& table : diff.reordered) {
    std::cerr << "note: " << table
              << ": PostgreSQL adds a column at the end of its table, so its column order is "
                 "not the declared one (declare new columns last to keep them alike)\n";
  }
}

// The files of every dialect, under one version per migration: with several dialects each
// writes its variant, and a dialect with nothing for a version says so in a comment.
void WriteMigrations(const Context& ctx, const DiffRequest& request, const std::vector<Side>& sides,
                     const std::vector<SchemaDiff>& diffs, bool variants) {
  std::string slug = MakeSlug(request.name);
  fs::path dir = ResolveSources(ctx.config()).front().path;
  fs::create_directories(dir);
  std::time_t now = std::time(nullptr);
  std::size_t count = 0;
  for (const SchemaDiff& d : diffs) count = std::max(count, d.migrations.size());
  for (std::size_t i = 0; i < count; ++i) {
    std::string version = UtcStamp(now);
    auto taken = [&](const std::string& v) {
      return std::any_of(sides.begin(), sides.end(),
                         [&](const Side& s) { return TakenBy(s.set, dir, v); });
    };
    while (taken(version)) version = UtcStamp(++now);
    ++now;
    std::string suffix;
    for (const SchemaDiff& d : diffs) {
      if (i < d.migrations.size()) suffix = d.migrations[i].suffix;
    }
    for (std::size_t s = 0; s < sides.size(); ++s) {
      std::string base = version + "_" + slug + suffix + (variants ? "." + sides[s].dialect : "");
      const std::vector<GeneratedMigration>& mine = diffs[s].migrations;
      std::string nothing = "-- Nothing to do on " + sides[s].dialect +
                            ": written by 'migrate diff " + request.name + "'.\n";
      WriteFile(dir / (base + ".up.sql"), i < mine.size() ? mine[i].up : nothing);
      WriteFile(dir / (base + ".down.sql"), i < mine.size() ? mine[i].down : nothing);
      ctx.out() << "Wrote " << (dir / (base + ".up.sql")).string() << "\n      "
                << (dir / (base + ".down.sql")).string() << "\n";
    }
  }
  for (const SchemaDiff& d : diffs) {
    for (const SchemaChange& c : d.up) {
      if (c.loses.empty()) continue;
      ctx.out() << "  " << Paint(ctx.out(), Tone::kWarning, "destructive") << ": loses " << c.loses
                << "\n";
    }
  }
}

void Diff(const Context& ctx, const DiffRequest& request) {
  if (request.name.empty() != request.check) {
    throw Error(ErrorCode::kUsage, request.check ? "--check writes nothing: give no NAME"
                                                 : "diff needs a NAME for the migration");
  }
  std::vector<std::string> dialects = EffectiveDialects(ctx.config());
  bool variants = dialects.size() > 1;
  if (!request.dialect.empty()) {
    if (!FindDialect(request.dialect)) {
      throw Error(ErrorCode::kUsage,
                  "--dialect " + request.dialect + ": not a dialect (postgres, sqlite)");
    }
    dialects = {request.dialect};
  }
  std::vector<Side> sides;
  for (const std::string& d : dialects) sides.push_back(Replay(ctx, request, d));
  if (request.check) return Check(ctx, sides);
  std::vector<SchemaDiff> diffs;
  bool any = false;
  for (Side& side : sides) {
    PlanOptions options;
    options.dialect = side.dialect;
    options.renames = request.renames;
    options.postgres_version = BuildPostgresVersion(ctx.config());
    diffs.push_back(DiffDeclared(side.current, side.declared, *side.current_db, options,
                                 "migrate diff " + request.name));
    any = any || !diffs.back().up.empty();
    Report(side.dialect, diffs.back());
  }
  if (!any) {
    ctx.out() << "No difference: the migrations build the declared schema (" << ctx.config().schema
              << "/). Nothing written.\n";
    return;
  }
  WriteMigrations(ctx, request, sides, diffs, variants);
}

struct InspectRequest {
  std::string out;
  bool force = false;
};

void Inspect(const Context& ctx, const InspectRequest& request) {
  fs::path dir = ctx.config().root / (request.out.empty() ? ctx.config().schema : request.out);
  std::vector<fs::path> existing;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".sql") existing.push_back(e.path());
  }
  if (!existing.empty() && !request.force) {
    throw Error(ErrorCode::kUsage, dir.string() + " holds " + std::to_string(existing.size()) +
                                       " .sql file(s): inspect writes into a folder without "
                                       "any (--out DIR), or replaces them with --force");
  }
  auto driver = ctx.OpenDatabase(CreateFile::kNo);
  std::string dialect(driver->GetDialect().Name());
  auto files = RenderSchemaFiles(driver->ReadCatalog(), driver->GetDialect());
  fs::create_directories(dir);
  for (const fs::path& p : existing) fs::remove(p);
  for (const auto& [name, text] : files) WriteFile(dir / name, text);
  ctx.out() << "Wrote " << files.size() << " file(s) into " << dir.string() << " (" << dialect
            << ").\n";
}

}  // namespace

void RegisterDiffCommands(CLI::App& app, const GlobalOptions& globals, Action& action) {
  auto* diff = app.add_subcommand(
      "diff", "Write the migration that turns the migrations' schema into the declared one");
  auto request = std::make_shared<DiffRequest>();
  diff->add_option("NAME", request->name, "What the migration does (its slug)");
  diff->add_option("--dialect", request->dialect, "postgres or sqlite, when the project has both");
  diff->add_option("--dev-url", request->dev_url, "PostgreSQL server for the temporary databases");
  diff->add_option("--rename", request->renames,
                   "OLD=NEW: a table ([schema.]table) or column ([schema.]table.column) "
                   "renamed, not dropped and added (repeat it for several; \"Name\" keeps case)")
      ->expected(1)
      ->allow_extra_args(false)
      ->take_all();
  diff->add_flag("--check", request->check,
                 "Exit 4 when the migrations do not build the declared schema; write nothing");
  diff->callback([&globals, &action, request] {
    action = [&globals, request] { Diff(Context(globals), *request); };
  });

  auto* inspect = app.add_subcommand("inspect", "Write the database's schema as CREATE statements");
  auto inspect_request = std::make_shared<InspectRequest>();
  inspect->add_option("--out", inspect_request->out, "Folder to write (default: [project] schema)");
  inspect->add_flag("--force", inspect_request->force, "Replace the .sql files the folder holds");
  inspect->callback([&globals, &action, inspect_request] {
    action = [&globals, inspect_request] { Inspect(Context(globals), *inspect_request); };
  });
}

}  // namespace migrate::cli
