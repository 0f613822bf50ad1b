// The fixtures of `migrate diff` (tests/fixtures/diff/<name>/, docs/design.md §16): each is a
// folder with migrations/, a declared schema/, and expected/ holding the files diff must
// write (up.sql, down.sql, and on PostgreSQL indexes.up.sql and indexes.down.sql when it
// builds indexes on existing tables), or expected/error (the exit code on its first line,
// words of the message on the next) when diff must refuse; enum_values.up.sql and
// enum_values.down.sql when an added enum value is used by the change. `args` holds extra arguments
// (`--rename a.b=c`). The name says the dialect: pg_* or sqlite_*.
// For each: the files written are compared with expected/ (MIGRATE_UPDATE_FIXTURES=1 rewrites
// them, so a change of output is a reviewed change); `migrate build` accepts them with lint
// warnings only for the destructive steps; `migrate run` on a real database gives the
// catalog of schema/ replayed alone, and `migrate down` of the generated migrations gives
// the catalog of migrations/ replayed alone.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <regex>
#include <set>
#include <sstream>

#include "e2e/project.h"
#include "migrate/declared_schema.h"
#include "registry.h"
#include "support/pg.h"

using namespace migrate;
using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

const std::set<std::string> kDestructiveRules = {"dropping-table", "dropping-column",
                                                 "changing-column-type", "renaming"};

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The generated file of `p` for the migration `part` ("" the change, "_indexes",
// "_enum_values") in `direction` ("up" or "down").
std::optional<fs::path> Generated(const Project& p, const std::string& part,
                                  const std::string& direction) {
  std::regex name(R"(\d{14}_change)" + part + R"(\.)" + direction + R"(\.sql)");
  for (const auto& e : fs::directory_iterator(p / "migrations")) {
    if (std::regex_match(e.path().filename().string(), name)) return e.path();
  }
  return std::nullopt;
}

const std::vector<std::string> kParts = {"", "_indexes", "_enum_values"};

void CompareWithExpected(const Project& p, const fs::path& fixture) {
  bool update = std::getenv("MIGRATE_UPDATE_FIXTURES") != nullptr;
  for (const std::string& part : kParts) {
    for (const std::string direction : {"up", "down"}) {
      std::optional<fs::path> got = Generated(p, part, direction);
      std::string expected_name = (part.empty() ? "" : part.substr(1) + ".") + direction + ".sql";
      fs::path expected = fixture / "expected" / expected_name;
      INFO(expected_name);
      if (update) {
        if (got) WriteFile(expected, ReadFile(*got));
        if (!got && fs::exists(expected)) fs::remove(expected);
        continue;
      }
      REQUIRE(got.has_value() == fs::exists(expected));
      if (got) CHECK(ReadFile(*got) == ReadFile(expected));
    }
  }
}

// The catalog of `files` replayed alone on a scratch database of the fixture's dialect.
Catalog Replayed(const std::string& dialect, const std::function<Catalog(Driver&)>& replay) {
  std::string admin = dialect == "postgres" ? PgAdminUrl() : "sqlite::memory:";
  auto scratch = OpenScratchLike(admin, admin, DriverOptions{});
  return replay(*scratch);
}

MigrationSet LoadSet(const fs::path& dir, const std::string& dialect) {
  return LoadMigrationSet({{"migrations", dir}}, {FindDialect(dialect)}).set;
}

void CheckRealDatabase(const Project& p, const fs::path& fixture, const std::string& dialect,
                       const std::string& url) {
  auto live = [&] {
    auto d = OpenDriver(dialect == "postgres" ? url : "sqlite:" + (p / "test.db").string(),
                        DriverOptions{});
    return Describe(d->ReadCatalog());
  };
  ProcessResult run = p.Run({"run", "--database", url});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  std::vector<SchemaFile> files = LoadSchemaFiles(fixture / "schema", dialect);
  Catalog declared = Replayed(dialect, [&](Driver& d) { return ReplaySchema(d, files); });
  CHECK(RenderDiff(DiffCatalogs(live(), Describe(declared))) == "");
  std::size_t generated = 0;
  for (const std::string& part : kParts) generated += Generated(p, part, "up") ? 1 : 0;
  ProcessResult down = p.Run({"down", std::to_string(generated), "--database", url});
  INFO(down.out << down.err);
  REQUIRE(down.exit_code == 0);
  MigrationSet set = LoadSet(fixture / "migrations", dialect);
  Catalog before = Replayed(dialect, [&](Driver& d) { return ReplayMigrations(d, set); });
  CHECK(RenderDiff(DiffCatalogs(live(), Describe(before))) == "");
}

void RunFixture(const fs::path& fixture) {
  std::string name = fixture.filename();
  std::string dialect = name.rfind("pg_", 0) == 0 ? "postgres" : "sqlite";
  INFO("fixture " << name);
  Project p("dialects = [\"" + dialect + "\"]\n");
  fs::copy(fixture / "migrations", p / "migrations", fs::copy_options::recursive);
  fs::copy(fixture / "schema", p / "schema", fs::copy_options::recursive);
  std::optional<PgDatabase> db;
  if (dialect == "postgres") db.emplace();
  std::string url = db ? db->url() : "sqlite:test.db";
  std::vector<std::string> args = {"diff", "change"};
  if (db) args.insert(args.end(), {"--dev-url", PgAdminUrl()});
  if (fs::exists(fixture / "args")) {
    for (const std::string& w : Words(ReadFile(fixture / "args"))) args.push_back(w);
  }
  ProcessResult diff = p.Run(args);
  INFO(diff.out << diff.err);
  if (fs::exists(fixture / "expected/error")) {
    std::istringstream error(ReadFile(fixture / "expected/error"));
    int code = 0;
    std::string words;
    error >> code;
    std::getline(error >> std::ws, words);
    CHECK(diff.exit_code == code);
    CHECK_THAT(diff.err, Catch::Contains(words));
    CHECK(!Generated(p, "", "up"));
    return;
  }
  REQUIRE(diff.exit_code == 0);
  CHECK_THAT(diff.err, !Catch::Contains("warning"));
  CompareWithExpected(p, fixture);
  ProcessResult build = p.Run({"build"});
  INFO(build.err);
  REQUIRE(build.exit_code == 0);
  std::regex rule(R"(warning\[([a-z-]+)\])");
  for (auto it = std::sregex_iterator(build.err.begin(), build.err.end(), rule);
       it != std::sregex_iterator(); ++it) {
    INFO((*it)[0].str());
    CHECK(kDestructiveRules.count((*it)[1].str()));
  }
  CheckRealDatabase(p, fixture, dialect, url);
}

std::vector<fs::path> Fixtures(const std::string& prefix) {
  std::vector<fs::path> out;
  for (const auto& e :
       fs::directory_iterator(migrate::testing::SourceDir() / "tests/fixtures/diff")) {
    if (e.path().filename().string().rfind(prefix, 0) == 0) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("diff fixtures: SQLite", "[e2e][sqlite]") {
  std::vector<fs::path> fixtures = Fixtures("sqlite_");
  REQUIRE(fixtures.size() >= 4);
  for (const fs::path& f : fixtures) {
    SECTION(f.filename().string()) { RunFixture(f); }
  }
}

TEST_CASE("diff fixtures: PostgreSQL", "[postgres]") {
  std::vector<fs::path> fixtures = Fixtures("pg_");
  REQUIRE(fixtures.size() >= 5);
  for (const fs::path& f : fixtures) {
    SECTION(f.filename().string()) { RunFixture(f); }
  }
}
