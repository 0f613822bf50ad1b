// `migrate verify` and `build --verify-url` end to end on SQLite: the real binary, its output,
// its exit codes (the PostgreSQL side is tests/postgres/verify_postgres_test.cc).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "e2e/project.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

// A project holding the fixture whose down of 3_index_items_by_name forgets its index. The
// build passes: its rehearsal reverts every migration before comparing, and the down of 1
// drops the index with its table.
void UseForgetfulFixture(const Project& p) {
  fs::copy(SourceDir() / "tests/fixtures/verify_down_forgets_index/migrations", p / "migrations",
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  REQUIRE(p.Run({"--quiet", "build"}).exit_code == 0);
}

}  // namespace

TEST_CASE("verify (sqlite): a down that forgets an index fails naming the migration and index",
          "[e2e]") {
  Project p;
  UseForgetfulFixture(p);
  ProcessResult r = p.Run({"--no-color", "verify", "--database", "sqlite:scratch.db"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.out, Catch::Contains("ok      1  create_items") &&
                        Catch::Contains("ok      2  create_tags") &&
                        Catch::Contains("FAILED  3  index_items_by_name: after the down, the up "
                                        "fails the second time") &&
                        Catch::Contains("+ index items.items_by_name") &&
                        Catch::Contains("3_index_items_by_name.up.sql:1:1") &&
                        Catch::Contains("index items_by_name already exists") &&
                        Catch::Contains("skipped 4  tag_colors: not checked") &&
                        Catch::Contains("3 checked, 2 passed, 1 failed, 1 not checked"));
  CHECK_THAT(r.err, Catch::Contains("verify failed: 1 migration(s)"));
}

TEST_CASE("verify (sqlite): --json gives each outcome, the diff and the counts", "[e2e]") {
  Project p;
  UseForgetfulFixture(p);
  ProcessResult r = p.Run({"--json", "verify", "--database", "sqlite:scratch.db"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["ok"] == false);
  CHECK(j["checked"] == 3);
  CHECK(j["failed"] == 1);
  CHECK(j["not_checked"] == 1);
  const auto& m = j["migrations"][2];
  CHECK(m["version"] == "3");
  CHECK(m["outcome"] == "up again failed");
  CHECK(m["left"][0]["change"] == "added");
  CHECK(m["left"][0]["name"] == "items.items_by_name");
  CHECK(m["error"]["file"] == "3_index_items_by_name.up.sql");
  CHECK(m["error"]["line"] == 1);
  CHECK(j["migrations"][3]["outcome"] == "not reached");
}

TEST_CASE("verify (sqlite): a database with tables is refused, saying what to do", "[e2e]") {
  Project p;
  p.Add("1_t.up.sql", "CREATE TABLE t (x integer);\n");
  p.Add("1_t.down.sql", "DROP TABLE t;\n");
  p.Add("2_u.up.sql", "CREATE TABLE u (x integer);\n");
  p.Add("2_u.down.sql", "DROP TABLE u;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "1"}).exit_code == 0);
  ProcessResult r = p.Run({"verify"});  // the local environment: test.db
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("the database is not empty: it has 1 table(s) (t)") &&
                        Catch::Contains("--allow-existing") && Catch::Contains("--dev-url"));
  CHECK(p.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"1"});

  ProcessResult allowed = p.Run({"verify", "--allow-existing"});
  INFO(allowed.out << allowed.err);
  CHECK(allowed.exit_code == 0);
  CHECK_THAT(allowed.out, Catch::Contains("Verifying 1 migration(s)") &&
                              Catch::Contains("1 checked, 1 passed, 0 failed, 0 not checked"));
  CHECK(p.Tables() == std::vector<std::string>{"t", "u"});
}

TEST_CASE("verify (sqlite): a --dev-url that is not PostgreSQL is refused", "[e2e]") {
  Project p;
  p.Add("1_t.up.sql", "CREATE TABLE t (x integer);\n");
  p.Add("1_t.down.sql", "DROP TABLE t;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult r = p.Run({"verify", "--dev-url", "sqlite:other.db"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--dev-url 'sqlite:other.db' is not a postgres:// URL") &&
                        Catch::Contains("--database sqlite:scratch.db"));
  CHECK_FALSE(fs::exists(p / "other.db"));
}

TEST_CASE("verify (sqlite): without a bundle it says to build, before opening a database",
          "[e2e]") {
  Project p;
  ProcessResult r = p.Run({"verify"});
  CHECK(r.exit_code != 0);
  CHECK_FALSE(fs::exists(p / "test.db"));
}

TEST_CASE("build --verify-url (sqlite): the build is written, then verify fails it", "[e2e]") {
  Project p;
  fs::copy(SourceDir() / "tests/fixtures/verify_down_forgets_index/migrations", p / "migrations",
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  ProcessResult r = p.Run({"build", "--verify-url", "sqlite::memory:"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.out, Catch::Contains("Built 4 migrations") &&
                        Catch::Contains("FAILED  3  index_items_by_name"));
  CHECK(fs::exists(p / "dist/migrations/manifest.toml"));

  ProcessResult unknown = p.Run({"build", "--verify-url", "mysql://u:s3cret-pw@h/db"});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("unknown database URL") && !Catch::Contains("s3cret"));

  p.Add("3_index_items_by_name.down.sql", "DROP INDEX items_by_name;\n");
  ProcessResult fixed = p.Run({"build", "--verify-url", "sqlite::memory:"});
  INFO(fixed.out << fixed.err);
  CHECK(fixed.exit_code == 0);
  CHECK_THAT(fixed.out, Catch::Contains("4 checked, 4 passed, 0 failed, 0 not checked"));
}
