#include "migrate/declared_schema.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>

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
    throw Error(ErrorCode::kValidation, diagnostics.front().ToString(), diagnostics.front().where);
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

const char* const kReplayHint =
    "fix it: the declared schema must build on an empty database (a statement that needs what a "
    "later one makes is tried again after the others, so the files' order does not matter)";

// The step of declared file `f`; a file that cannot be split is an error at its file:line.
Step DeclaredStep(const Dialect& dialect, const SchemaFile& f, int postgres_version) {
  try {
    return TextStep(dialect, f.path, f.text, "schema", Direction::kUp, postgres_version);
  } catch (const Error& e) {
    throw Error(e.code(), std::string(e.what()) + "\n  " + kReplayHint, e.where());
  }
}

// One statement of a declared file that failed as part of its file, tried on its own.
struct PendingStatement {
  Step step;              // the file's text, with this one statement
  std::size_t index = 0;  // its place in the file
  std::size_t count = 0;  // the file's statements
  std::optional<Error> error;
};

// Whether `e` says the database could not parse the statement: no order makes it run.
bool IsSyntaxError(const Error& e) {
  return e.sqlstate() == "42601" ||
         std::string_view(e.what()).find("syntax error") != std::string_view::npos;
}

// The error for `failed`, statements that no pass could run: at the file:line of the first
// that cannot be parsed, else of the first, naming the others.
Error NeverRan(const std::vector<PendingStatement>& failed) {
  auto first = std::find_if(failed.begin(), failed.end(),
                            [](const PendingStatement& p) { return IsSyntaxError(*p.error); });
  if (first == failed.end()) first = failed.begin();
  const Error& e = *first->error;
  std::string message = e.what();
  // The driver counts the statements of the step it ran, which held this one alone.
  std::string ran_alone = e.where().ToString() + ": statement 1 of 1 failed";
  if (message.rfind(ran_alone, 0) == 0) {
    message.replace(0, ran_alone.size(),
                    e.where().ToString() + ": statement " + std::to_string(first->index + 1) +
                        " of " + std::to_string(first->count) + " failed");
  }
  message += "\n  " + std::string(kReplayHint);
  if (failed.size() > 1) {
    message += "\n  " + std::to_string(failed.size() - 1) + " more statement(s) did not run:";
    std::size_t listed = 0;
    for (auto it = failed.begin(); it != failed.end() && listed < 5; ++it) {
      if (it == first) continue;
      message += " " + it->error->where().ToString();
      ++listed;
    }
    if (failed.size() - 1 > listed) message += " ...";
  }
  return Error(ErrorCode::kValidation, message, e.where(), e.sqlstate());
}

}  // namespace

std::vector<SchemaFile> LoadSchemaFiles(const fs::path& dir, std::string_view dialect,
                                        const std::string& shown_as) {
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
    std::string shown = shown_as.empty() ? file.first.lexically_normal().string()
                                         : (fs::path(shown_as) / file.first.filename()).string();
    out.push_back({shown, NormalizeSource(ReadFile(file.first))});
  }
  return out;
}

Catalog ReplaySchema(Driver& scratch, const std::vector<SchemaFile>& files, int postgres_version,
                     const std::atomic<bool>* stop) {
  ScratchLease lease(scratch);
  std::vector<PendingStatement> pending;
  int ran = 0;
  for (const SchemaFile& f : files) {
    Step whole = DeclaredStep(scratch.GetDialect(), f, postgres_version);
    whole.version = "schema-" + std::to_string(++ran);
    // Most files run whole, in one transaction; one that needs a later file is rolled back
    // and runs statement by statement in the passes below. A file without a transaction
    // runs statement by statement at once: what ran of it could not be rolled back.
    if (whole.statements.empty()) continue;
    if (whole.transactional) {
      try {
        scratch.Apply(whole, lease.lease());
        continue;
      } catch (const Error& e) {
        if (e.code() != ErrorCode::kMigrationFailed) throw;
      }
    }
    for (std::size_t i = 0; i < whole.statements.size(); ++i) {
      Step one = whole;
      one.statements = {whole.statements[i]};
      one.transactional = whole.statements[i].outside_transaction.empty();
      pending.push_back({std::move(one), i, whole.statements.size(), std::nullopt});
    }
  }
  while (!pending.empty()) {
    std::vector<PendingStatement> again;
    for (PendingStatement& p : pending) {
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
    if (again.size() == pending.size()) throw NeverRan(again);
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
  back.renames = ReversedRenames(options.renames, options.dialect);
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
