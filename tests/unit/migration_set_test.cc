// Data-driven: every folder under tests/fixtures/ is a migration set plus expect.toml.
//   dialects = ["sqlite"]            dialects to validate for (default sqlite)
//   sources = ["migrations"]         source folders or globs (default migrations)
//   lint = true                      also run the PostgreSQL lint rules
//   [lint_levels]                    as [lint] in config.toml: rule = "error" | "warning" | "off"
//   rehearse = true                  also rehearse the chain on in-memory SQLite (as build does)
//   postgres_version = 17            as in config.toml (default 15)
//   [statements]                     "migrations/1_a.up.sql" = 3: a file's statement count
//   migrations = N                   when no diagnostics are expected: the set's size
//   order = ["1", "2"]               optional: the versions in order
//   [[diagnostic]]                   each expected diagnostic, in any order; no others
//   rule = "bad-name"  file = "migrations/x.sql"  line = 2  column = 8  mentions = "text"
//   severity = "error" | "warning"
#include "migrate/migration_set.h"

#include <toml++/toml.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>

#include "migrate/build.h"
#include "migrate/config.h"
#include "registry.h"
#include "support/temp_dir.h"

using namespace migrate;
namespace fs = std::filesystem;

namespace {

// [statements]: "file" = how many statements it splits into.
void CheckStatementCounts(const toml::table& expect, const MigrationSet& set) {
  const toml::table* counts = expect["statements"].as_table();
  if (!counts) return;
  for (const auto& [file, count] : *counts) {
    const SourceFile* found = nullptr;
    for (const Migration& m : set.migrations) {
      for (const SourceFile& f : m.files) found = f.path == file.str() ? &f : found;
    }
    INFO("statements in " << file.str());
    REQUIRE(found);
    CHECK(found->statements == count.value_or<int64_t>(-1));
  }
}

void CheckFixture(const fs::path& dir) {
  toml::table expect = toml::parse_file((dir / "expect.toml").string());
  // The fixture as a project: its config, then the build pipeline's validation.
  Config config = DefaultConfig(dir);
  if (auto* sources = expect["sources"].as_array()) {
    config.migrations.clear();
    for (auto& s : *sources) config.migrations.push_back(*s.value<std::string>());
  }
  config.dialects = {"sqlite"};
  if (auto* ds = expect["dialects"].as_array()) {
    config.dialects.clear();
    for (auto& d : *ds) config.dialects.push_back(*d.value<std::string>());
  }
  if (auto* levels = expect["lint_levels"].as_table()) {
    for (auto& [rule, level] : *levels) {
      config.lint[std::string(rule.str())] = *level.value<std::string>();
    }
  }
  config.postgres_version = expect["postgres_version"].value_or(kDefaultPostgresVersion);
  BuildOptions options;
  options.lint = expect["lint"].value_or(false);
  options.rehearse = expect["rehearse"].value_or(false);
  LoadResult result = ValidateSet(MakeBuildInputs(config), options, DriverToolchain());

  std::vector<Diagnostic> left = result.diagnostics;
  if (auto* diags = expect["diagnostic"].as_array()) {
    for (auto& node : *diags) {
      const toml::table& want = *node.as_table();
      std::string rule = want["rule"].value_or(std::string());
      std::string file = want["file"].value_or(std::string());
      auto it = std::find_if(left.begin(), left.end(), [&](const Diagnostic& d) {
        return d.rule == rule && d.where.file == file &&
               want["line"].value_or<int64_t>(d.where.line) == d.where.line &&
               want["column"].value_or<int64_t>(d.where.column) == d.where.column &&
               want["severity"].value_or(
                   std::string(d.severity == Severity::kError ? "error" : "warning")) ==
                   (d.severity == Severity::kError ? "error" : "warning") &&
               d.message.find(want["mentions"].value_or(std::string())) != std::string::npos;
      });
      INFO("expected " << rule << " in " << file);
      for (const Diagnostic& d : left) INFO("remaining: " << d.ToString());
      REQUIRE(it != left.end());
      left.erase(it);
    }
  }
  for (const Diagnostic& d : left) FAIL_CHECK("unexpected diagnostic: " << d.ToString());
  CheckStatementCounts(expect, result.set);
  if (auto n = expect["migrations"].value<int64_t>()) {
    CHECK(static_cast<int64_t>(result.set.migrations.size()) == *n);
  }
  if (auto* order = expect["order"].as_array()) {
    std::vector<std::string> want, got;
    for (auto& v : *order) want.push_back(*v.value<std::string>());
    for (const Migration& m : result.set.migrations) got.push_back(m.version);
    CHECK(got == want);
  }
}

}  // namespace

TEST_CASE("migration-set fixtures give exactly their expected diagnostics", "[unit]") {
  fs::path root = testing::SourceDir() / "tests/fixtures";
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(root)) {
    if (fs::exists(e.path() / "expect.toml")) cases.push_back(e.path());
  }
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 10);
  for (const fs::path& c : cases) {
    SECTION(c.filename().string()) { CheckFixture(c); }
  }
}

TEST_CASE("empty and comment-only files are valid no-ops with zero statements", "[unit]") {
  LoadResult r = LoadMigrationSet(
      {{"migrations", testing::SourceDir() / "tests/fixtures/good_basic/migrations"}},
      {FindDialect("sqlite")});
  REQUIRE(r.diagnostics.empty());
  const Migration& nothing = r.set.migrations[1];
  CHECK(nothing.slug == "nothing");
  for (const SourceFile& f : nothing.files) CHECK(f.statements == 0);
  CHECK(r.set.migrations[2].files[1].statements == 1);  // 3_wrapped.up: BEGIN/COMMIT dropped
}

TEST_CASE("a missing migrations folder is a diagnostic", "[unit]") {
  LoadResult r = LoadMigrationSet({{"nowhere", "/nonexistent/migrate"}}, {FindDialect("sqlite")});
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].rule == "missing-folder");
}
