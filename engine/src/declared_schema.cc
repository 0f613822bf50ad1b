#include "migrate/declared_schema.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "migrate/lock.h"
#include "migrate/manifest.h"
#include "migrate/planner.h"
#include "migrate/source_text.h"

namespace migrate {
namespace fs = std::filesystem;
namespace {

// A step that runs `text` (a file of `path`) as one migration would: its directives, its
// statements as `dialect` splits them. Throws Error(kValidation) when it cannot be split.
Step TextStep(const Dialect& dialect, const std::string& path, const std::string& text,
              const std::string& version, Direction direction, int postgres_version) {
  Diagnostics diagnostics;
  Directives directives = ParseDirectives(text, path, diagnostics);
  Step step;
  step.version = version;
  step.slug = "declared";
  step.direction = direction;
  step.file = path;
  step.sql = text;
  step.transactional = !directives.no_transaction;
  step.lock_timeout = directives.lock_timeout;
  step.statement_timeout = directives.statement_timeout;
  step.checksum = "-";
  step.tool_version = "migrate";
  int target = dialect.Name() == kDialectPostgres ? postgres_version : 0;
  step.statements = PrepareSql(dialect, text, directives, path, diagnostics, target).statements;
  std::erase_if(diagnostics, [](const Diagnostic& d) { return d.severity != Severity::kError; });
  if (!diagnostics.empty()) {
    throw Error(ErrorCode::kValidation, diagnostics.front().message, diagnostics.front().where);
  }
  return step;
}

// The lock of a scratch database, which nobody else uses: taken for the steps' records.
class ScratchLease {
 public:
  explicit ScratchLease(Driver& d) : d_(d), lease_(MakeLockRequest(std::chrono::hours(24))) {
    d_.EnsureMetadata();
    if (!d_.TryLock(lease_).acquired) {
      throw Error(ErrorCode::kInternal, "the scratch database is in use");
    }
  }
  ~ScratchLease() { d_.ReleaseLock(lease_); }
  ScratchLease(const ScratchLease&) = delete;
  ScratchLease& operator=(const ScratchLease&) = delete;
  const LockRequest& lease() const { return lease_; }

 private:
  Driver& d_;
  LockRequest lease_;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) throw Error(ErrorCode::kIo, "cannot read " + path.string());
  return text.str();
}

// `misses` without the column positions that differ in tables where `plan` adds a column:
// those tables are named in `reordered`.
std::vector<CatalogChange> WithoutAppendedOrder(std::vector<CatalogChange> misses,
                                                const std::vector<SchemaChange>& plan,
                                                std::vector<std::string>& reordered) {
  std::set<std::string> appended;  // "schema.table" as catalog objects name it
  for (const SchemaChange& c : plan) {
    if (c.kind != SchemaChange::Kind::kAddColumn) continue;
    appended.insert(ObjectName(c.schema, c.owner));
  }
  std::erase_if(misses, [&](const CatalogChange& m) {
    if (m.kind != CatalogChange::Kind::kChanged || m.object.kind != "column") return false;
    if (m.changes.size() != 1 || m.changes.front().attribute != "position") return false;
    std::string table = m.object.name.substr(0, m.object.name.rfind('.'));
    if (!appended.count(table)) return false;
    if (std::find(reordered.begin(), reordered.end(), table) == reordered.end()) {
      reordered.push_back(table);
    }
    return true;
  });
  return misses;
}

}  // namespace

std::vector<SchemaFile> LoadSchemaFiles(const fs::path& dir, std::string_view dialect) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw Error(ErrorCode::kConfig, "no declared schema: " + dir.string() +
                                        " is not a folder (write CREATE statements there, or "
                                        "'migrate inspect --out " +
                                        dir.string() +
                                        "' a database that has them; [project] schema names it)");
  }
  // name without the dialect part -> (file, is a variant)
  std::map<std::string, std::pair<fs::path, bool>> chosen;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.size() < 4 || name.compare(name.size() - 4, 4, ".sql")) {
      continue;
    }
    std::string stem = name.substr(0, name.size() - 4);
    std::size_t dot = stem.rfind('.');
    std::string variant = dot == std::string::npos ? "" : stem.substr(dot + 1);
    bool is_variant = variant == "postgres" || variant == "sqlite";
    if (is_variant && variant != dialect) continue;
    std::string base = is_variant ? stem.substr(0, dot) : stem;
    auto it = chosen.find(base);
    if (it == chosen.end() || (is_variant && !it->second.second)) {
      chosen[base] = {entry.path(), is_variant};
    }
  }
  std::vector<SchemaFile> out;
  for (const auto& [base, file] : chosen) {
    out.push_back({file.first.lexically_normal().string(), NormalizeSource(ReadFile(file.first))});
  }
  return out;
}

Catalog ReplaySchema(Driver& scratch, const std::vector<SchemaFile>& files, int postgres_version,
                     const std::atomic<bool>* stop) {
  ScratchLease lease(scratch);
  struct Pending {
    const SchemaFile* file;
    Step step;
    std::optional<Error> error;
  };
  std::vector<Pending> pending;
  int ran = 0;
  for (const SchemaFile& f : files) {
    Step whole =
        TextStep(scratch.GetDialect(), f.path, f.text, "schema", Direction::kUp, postgres_version);
    whole.version = "schema-" + std::to_string(++ran);
    try {
      // Most files run whole, in one transaction; one that needs a later file is rolled
      // back and runs statement by statement in the passes below.
      if (!whole.statements.empty()) scratch.Apply(whole, lease.lease());
      continue;
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kMigrationFailed) throw;
    }
    for (const Statement& s : whole.statements) {
      Step one = whole;
      one.statements = {s};
      one.transactional = true;
      pending.push_back({&f, std::move(one), std::nullopt});
    }
  }
  while (!pending.empty()) {
    std::vector<Pending> again;
    for (Pending& p : pending) {
      if (stop && stop->load()) throw Error(ErrorCode::kInterrupted, "stopped by a signal");
      p.step.version = "schema-" + std::to_string(++ran);
      try {
        scratch.Apply(p.step, lease.lease());
      } catch (const Error& e) {
        if (e.code() != ErrorCode::kMigrationFailed) throw;
        p.error = e;
        again.push_back(std::move(p));
      }
    }
    if (again.size() == pending.size()) {
      const Error& e = *again.front().error;
      throw Error(ErrorCode::kValidation,
                  std::string(e.what()) +
                      " (the declared schema must build on an empty database; a statement is "
                      "tried again after the others while any of them succeeds)",
                  e.where(), e.sqlstate());
    }
    pending = std::move(again);
  }
  return scratch.ReadCatalog();
}

Catalog ReplayMigrations(Driver& scratch, const MigrationSet& set, int postgres_version,
                         const std::atomic<bool>* stop) {
  ScratchLease lease(scratch);
  const std::string dialect(scratch.GetDialect().Name());
  for (const Migration& m : set.migrations) {
    if (stop && stop->load()) throw Error(ErrorCode::kInterrupted, "stopped by a signal");
    const SourceFile* f = FindFile(m, Direction::kUp, dialect);
    if (!f) continue;
    ManifestEntry entry = MakeManifestEntry(m);
    Step step = MakeStep({&entry, entry.Find(Direction::kUp, dialect), Direction::kUp, nullptr, ""},
                         f->text, scratch.GetDialect(), {}, postgres_version);
    step.file = f->path;
    scratch.Apply(step, lease.lease());
  }
  return scratch.ReadCatalog();
}

SchemaDiff DiffDeclared(const Catalog& current, const Catalog& declared, Driver& scratch,
                        const PlanOptions& options, const std::string& title) {
  SchemaDiff out;
  out.up = PlanSchemaChanges(current, declared, options);
  if (out.up.empty()) return out;
  PlanOptions back = options;
  back.renames = ReversedRenames(options.renames);
  back.enums = PlanOptions::EnumRemoval::kRebuild;
  out.down = PlanSchemaChanges(declared, current, back);
  out.migrations = RenderMigrations(out.up, out.down, scratch.GetDialect(), title);
  // The proof: the files run on the replayed state reach the declared one, and back.
  ScratchLease lease(scratch);
  const Dialect& dialect = scratch.GetDialect();
  std::vector<Step> downs;
  for (std::size_t i = 0; i < out.migrations.size(); ++i) {
    const GeneratedMigration& m = out.migrations[i];
    std::string version = "generated-" + std::to_string(i + 1);
    std::string name = "(generated" + m.suffix + ")";
    scratch.Apply(TextStep(dialect, name + ".up.sql", m.up, version, Direction::kUp,
                           options.postgres_version),
                  lease.lease());
    downs.push_back(TextStep(dialect, name + ".down.sql", m.down, version, Direction::kDown,
                             options.postgres_version));
  }
  out.up_misses = WithoutAppendedOrder(
      DiffCatalogs(Describe(scratch.ReadCatalog()), Describe(declared)), out.up, out.reordered);
  for (auto it = downs.rbegin(); it != downs.rend(); ++it) scratch.Apply(*it, lease.lease());
  out.down_misses = WithoutAppendedOrder(
      DiffCatalogs(Describe(scratch.ReadCatalog()), Describe(current)), out.down, out.reordered);
  return out;
}

}  // namespace migrate
