// Tampering after build, through the real binary (docs/reliability.md): a changed byte, a
// file added, removed or swapped, a symlink, an edited manifest, a `../` name. Every command
// that would run a file of it refuses it with exit 7 before anything runs; a run that would
// create a new SQLite file verifies every file first and creates nothing. (A no-op run and
// status read the manifest header and the folder's names only: a changed byte or size in an
// applied file is found when that file is about to run.)
#include <catch2/catch.hpp>
#include <functional>

#include "e2e/project.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

void AddTwo(const Project& p) {
  p.Add("1_a.up.sql", "CREATE TABLE a (id integer);\n");
  p.Add("1_a.down.sql", "DROP TABLE a;\n");
  p.Add("2_b.up.sql", "CREATE TABLE b (id integer);\n");
  p.Add("2_b.down.sql", "DROP TABLE b;\n");
}

void Replace(const fs::path& file, const std::string& from, const std::string& to) {
  std::string text = ReadFile(file);
  REQUIRE(text.find(from) != std::string::npos);
  text.replace(text.find(from), from.size(), to);
  WriteFile(file, text);
}

// The tamperings, each applied to a freshly built dist/migrations.
std::vector<std::pair<std::string, std::function<void(const fs::path&)>>> Tamperings(
    const Project& p) {
  return {
      {"a byte changed", [](const fs::path& d) { Replace(d / "2_b.down.sql", "b;", "c;"); }},
      {"a file added",
       [](const fs::path& d) { WriteFile(d / "3_c.up.sql", "CREATE TABLE c (id integer);\n"); }},
      {"a file removed", [](const fs::path& d) { fs::remove(d / "2_b.down.sql"); }},
      {"two files swapped",
       [](const fs::path& d) {
         fs::rename(d / "1_a.down.sql", d / "tmp");
         fs::rename(d / "2_b.down.sql", d / "1_a.down.sql");
         fs::rename(d / "tmp", d / "2_b.down.sql");
       }},
      {"a symlink",
       [&p](const fs::path& d) {
         fs::remove(d / "2_b.down.sql");
         fs::create_symlink(p / "migrations/2_b.down.sql", d / "2_b.down.sql");
       }},
      {"an edited manifest",
       [](const fs::path& d) { Replace(d / "manifest.toml", "statements = 1", "statements = 2"); }},
      {"a ../ name",
       [](const fs::path& d) {
         Replace(d / "manifest.toml", "name = '2_b.down.sql'", "name = '../2_b.down.sql'");
       }},
  };
}

void RemoveDatabase(const Project& p) {
  for (const char* f : {"test.db", "test.db-journal", "test.db-wal", "test.db-shm"})
    fs::remove(p / f);
}

}  // namespace

TEST_CASE("faults: a bundle tampered with after build is refused before a new database is made",
          "[faults][sqlite]") {
  Project p("default_env = \"local\"\n");
  AddTwo(p);
  fs::path dist = p / "dist/migrations";
  for (const auto& [what, tamper] : Tamperings(p)) {
    fs::remove_all(p / "dist");
    REQUIRE(p.Run({"build"}).exit_code == 0);
    tamper(dist);
    for (const std::vector<std::string>& command :
         std::vector<std::vector<std::string>>{{"run"}, {"run", "--dry-run"}}) {
      RemoveDatabase(p);
      ProcessResult r = p.Run(command);
      INFO(what << ": migrate " << command.back() << "\n" << r.err);
      CHECK(r.exit_code == 7);
      CHECK(!fs::exists(p / "test.db"));
    }
  }
}

TEST_CASE("faults: a bundle tampered with after build is refused before anything runs",
          "[faults][sqlite]") {
  Project p("default_env = \"local\"\n");
  AddTwo(p);
  fs::path dist = p / "dist/migrations";
  for (const auto& [what, tamper] : Tamperings(p)) {
    fs::remove_all(p / "dist");
    RemoveDatabase(p);
    REQUIRE(p.Run({"build"}).exit_code == 0);
    REQUIRE(p.Run({"run"}).exit_code == 0);
    tamper(dist);
    // down would run 2_b.down.sql: whatever was done to the bundle, it is refused first.
    ProcessResult down = p.Run({"down"});
    INFO(what << "\n" << down.err);
    CHECK(down.exit_code == 7);
    CHECK(p.Tables() == std::vector<std::string>{"a", "b"});
    CHECK(p.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"2"});
  }
}
