// `inspect` and `diff` at scale, on real migration sets (../shared/corpus): for a spread of
// k, the catalog after migration k is written as schema/ files (inspect), replayed into an
// empty database (it must read back identical), and diffed from the state after k-1; the
// generated up must reach the state after k exactly, its down must return to k-1, and the
// files must pass `migrate build` (its rehearsal aside) with lint findings only for the
// destructive steps. Two replay databases advance together, one migration apart.
#include <catch2/catch.hpp>
#include <set>

#include "migrate/build.h"
#include "migrate/declared_schema.h"
#include "registry.h"
#include "support/pg.h"
#include "support/temp_dir.h"

using namespace migrate;
using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

// Lint rules a generated migration may trip: the destructive steps, which keep theirs.
const std::set<std::string> kDestructiveRules = {"dropping-table", "dropping-column",
                                                 "changing-column-type", "renaming"};

// `count` indexes spread over 0..n-1, always with the first and the last.
std::set<std::size_t> Spread(std::size_t n, std::size_t count) {
  std::set<std::size_t> out;
  for (std::size_t i = 0; i < count && n > 0; ++i) out.insert(i * (n - 1) / (count - 1));
  return out;
}

MigrationSet Load(const fs::path& dir, const std::string& dialect) {
  LoadResult loaded = LoadMigrationSet({{"migrations", dir}}, {FindDialect(dialect)});
  for (const Diagnostic& d : loaded.diagnostics) {
    if (d.severity == Severity::kError) FAIL(d.where.ToString() << ": " << d.message);
  }
  return std::move(loaded.set);
}

// `migrate build` (without the SQLite rehearsal, which needs the state before) accepts the
// generated files, with lint findings only for their destructive steps.
void CheckBuildable(const SchemaDiff& diff, const std::string& dialect, std::size_t k) {
  if (diff.migrations.empty()) return;  // the migration changed rows, not the schema
  TempDir dir;
  for (std::size_t i = 0; i < diff.migrations.size(); ++i) {
    std::string base = std::to_string(i + 1) + "_generated" + diff.migrations[i].suffix;
    WriteFile(dir / ("migrations/" + base + ".up.sql"), diff.migrations[i].up);
    WriteFile(dir / ("migrations/" + base + ".down.sql"), diff.migrations[i].down);
  }
  BuildInputs inputs;
  inputs.sources = {{"migrations", dir / "migrations"}};
  inputs.dialects = {dialect};
  BuildOptions options;
  options.rehearse = false;
  BuildOutcome built = Build(inputs, options, DriverToolchain(), dir / "dist", BuildMode::kWrite);
  for (const Diagnostic& d : built.loaded.diagnostics) {
    INFO("k=" << k << " " << d.where.ToString() << ": " << d.message);
    CHECK((d.severity == Severity::kWarning && kDestructiveRules.count(d.rule)));
  }
  CHECK_FALSE(built.failed);
  CHECK(fs::exists(dir / "dist/manifest.toml"));
}

std::string Show(const std::vector<CatalogChange>& changes) { return RenderDiff(changes); }

struct RoundTrip {
  std::string dialect;
  std::function<std::unique_ptr<Driver>()> open_scratch;

  void Run(const fs::path& corpus, std::size_t points) {
    MigrationSet set = Load(corpus, dialect);
    std::vector<const Migration*> ups;
    for (const Migration& m : set.migrations) {
      if (FindFile(m, Direction::kUp, dialect)) ups.push_back(&m);
    }
    std::set<std::size_t> ks = Spread(ups.size(), points);
    auto ahead = open_scratch();   // after migration k
    auto behind = open_scratch();  // after migration k-1
    for (std::size_t k = 0; k < ups.size(); ++k) {
      ReplayMigrations(*ahead, MigrationSet{{*ups[k]}});
      if (ks.count(k) && Point(k, *ups[k], *ahead, *behind)) {
        // The down put a dropped column back at the end: the tables' column order now
        // differs from the migrations', so `behind` starts again from an empty database.
        behind = open_scratch();
        MigrationSet before;
        for (std::size_t i = 0; i < k; ++i) before.migrations.push_back(*ups[i]);
        ReplayMigrations(*behind, before);
      }
      ReplayMigrations(*behind, MigrationSet{{*ups[k]}});
    }
    // The whole schema, inspected and replayed into an empty database, reads back the same.
    Catalog full = ahead->ReadCatalog();
    auto empty = open_scratch();
    Catalog again = ReplaySchema(*empty, Files(full));
    INFO(Show(DiffCatalogs(Describe(full), Describe(again))));
    CHECK(Describe(again) == Describe(full));
  }

  std::vector<SchemaFile> Files(const Catalog& catalog) const {
    std::vector<SchemaFile> files;
    for (const auto& [name, text] : RenderSchemaFiles(catalog, *FindDialect(dialect))) {
      files.push_back({"schema/" + name, text});
    }
    return files;
  }

  // Returns whether the generated files left a table's columns in another order (a column
  // added back at the end, the only place PostgreSQL adds one).
  bool Point(std::size_t k, const Migration& m, Driver& ahead, Driver& behind) {
    INFO("migration " << k + 1 << ": " << m.version << "_" << m.slug);
    Catalog after = ahead.ReadCatalog();
    Catalog before = behind.ReadCatalog();
    auto scratch = open_scratch();
    Catalog declared = ReplaySchema(*scratch, Files(after));
    {
      INFO("inspect, replayed:\n" << Show(DiffCatalogs(Describe(after), Describe(declared))));
      REQUIRE(Describe(declared) == Describe(after));
    }
    PlanOptions options;
    options.dialect = dialect;
    SchemaDiff diff = DiffDeclared(before, declared, behind, options, "migrate diff step");
    INFO("up:\n" << (diff.migrations.empty() ? "" : diff.migrations[0].up));
    INFO("down:\n" << (diff.migrations.empty() ? "" : diff.migrations[0].down));
    CHECK(Show(diff.up_misses) == "");
    REQUIRE(Show(diff.down_misses) == "");
    CheckBuildable(diff, dialect, k);
    return !diff.reordered.empty();
  }
};

}  // namespace

TEST_CASE("diff at scale: kratos-sqlite, inspect after k and diff from k-1", "[sqlite][corpus]") {
  fs::path corpus = SharedDir() / "corpus/kratos-sqlite";
  REQUIRE(fs::exists(corpus));
  RoundTrip trip{"sqlite", [] { return OpenDriver("sqlite::memory:", DriverOptions{}); }};
  trip.Run(corpus, 24);
}

TEST_CASE("diff at scale: openmeter-postgres, inspect after k and diff from k-1",
          "[postgres][corpus]") {
  fs::path corpus = SharedDir() / "corpus/openmeter-postgres";
  REQUIRE(fs::exists(corpus));
  std::string admin = PgAdminUrl();
  RoundTrip trip{"postgres", [admin] { return OpenScratchLike(admin, admin, DriverOptions{}); }};
  trip.Run(corpus, 24);
}
