// `migrate diff` (write the migration from the declared schema, or --check that the
// migrations build it) and `migrate inspect` (a live database's catalog as schema/ files).
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

std::string UtcStamp(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  return buf;
}

// The dialect the diff is for, and whether the project has others (then files are variants).
std::string ChosenDialect(const Context& ctx, const std::string& flag, bool& variants) {
  std::vector<std::string> dialects = EffectiveDialects(ctx.config());
  variants = dialects.size() > 1;
  if (!flag.empty()) {
    if (!FindDialect(flag)) {
      throw Error(ErrorCode::kUsage, "--dialect " + flag + ": not a dialect (postgres, sqlite)");
    }
    return flag;
  }
  if (dialects.size() != 1) {
    throw Error(ErrorCode::kUsage,
                "the project targets several dialects: say which one with --dialect");
  }
  return dialects.front();
}

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

bool VersionTaken(const MigrationSet& set, const fs::path& dir, const std::string& version) {
  for (const Migration& m : set.migrations) {
    if (CompareVersions(m.version, version) == 0) return true;
  }
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    auto parsed = ParseMigrationFileName(e.path().filename().string());
    if (parsed && CompareVersions(parsed->version, version) == 0) return true;
  }
  return false;
}

void PrintMisses(const char* what, const std::vector<CatalogChange>& misses) {
  if (misses.empty()) return;
  std::cerr << Paint(std::cerr, Tone::kWarning, "warning") << ": " << what
            << " (+ has, - lacks, ~ differs); review the files and finish them by hand:\n"
            << RenderDiff(misses);
}

void WriteMigrations(const Context& ctx, const DiffRequest& request, const MigrationSet& set,
                     const SchemaDiff& diff, const std::string& dialect, bool variants) {
  std::string slug = MakeSlug(request.name);
  fs::path dir = ResolveSources(ctx.config()).front().path;
  fs::create_directories(dir);
  std::time_t now = std::time(nullptr);
  std::string infix = variants ? "." + dialect : "";
  for (const GeneratedMigration& m : diff.migrations) {
    std::string version = UtcStamp(now);
    while (VersionTaken(set, dir, version)) version = UtcStamp(++now);
    ++now;
    std::string base = version + "_" + slug + m.suffix + infix;
    WriteFile(dir / (base + ".up.sql"), m.up);
    WriteFile(dir / (base + ".down.sql"), m.down);
    ctx.out() << "Wrote " << (dir / (base + ".up.sql")).string() << "\n      "
              << (dir / (base + ".down.sql")).string() << "\n";
  }
  for (const SchemaChange& c : diff.up) {
    if (!c.loses.empty()) {
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
  bool variants = false;
  std::string dialect = ChosenDialect(ctx, request.dialect, variants);
  MigrationSet set = LoadSet(ctx, dialect);
  fs::path schema_dir = ctx.config().root / ctx.config().schema;
  std::vector<SchemaFile> files = LoadSchemaFiles(schema_dir, dialect);
  const std::atomic<bool>* stop = InstallStopSignals();
  auto current_db = Scratch(ctx, dialect, request.dev_url);
  Catalog current = ReplayMigrations(*current_db, set, stop);
  Catalog declared;
  {
    auto declared_db = Scratch(ctx, dialect, request.dev_url);
    declared = ReplaySchema(*declared_db, files);
  }
  std::string shown = ctx.config().schema;
  if (request.check) {
    std::vector<CatalogChange> changes = DiffCatalogs(Describe(current), Describe(declared));
    if (changes.empty()) {
      ctx.out() << "The migrations build the declared schema (" << shown << "/, " << dialect
                << ").\n";
      return;
    }
    std::cerr << "The migrations do not build the declared schema (" << shown << "/, " << dialect
              << "): + it has, - it lacks, ~ it differs:\n"
              << RenderDiff(changes);
    throw Error(ErrorCode::kDrift, std::to_string(changes.size()) +
                                       " difference(s): 'migrate diff NAME' writes the migration");
  }
  PlanOptions options;
  options.dialect = dialect;
  options.renames = request.renames;
  SchemaDiff diff =
      DiffDeclared(current, declared, *current_db, options, "migrate diff " + request.name);
  if (diff.up.empty()) {
    ctx.out() << "No difference: the migrations build the declared schema (" << shown
              << "/). Nothing written.\n";
    return;
  }
  PrintMisses("the generated up does not reach the declared schema exactly", diff.up_misses);
  PrintMisses("the generated down does not come back to the migrations' schema exactly",
              diff.down_misses);
  for (const std::string& table : diff.reordered) {
    std::cerr << "note: " << table
              << ": PostgreSQL adds a column at the end of its table, so its column order is "
                 "not the declared one (declare new columns last to keep them alike)\n";
  }
  WriteMigrations(ctx, request, set, diff, dialect, variants);
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
                   "OLD=NEW: a table ([schema.]table) or column (table.column) renamed, not "
                   "dropped and added")
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
