// Hostile input (docs/reliability.md): file names no migration has (spaces, unicode, quotes,
// a newline, a terminal escape, a folder named like a migration), 10,000 statements in one
// file, and SQL that never ends (a quote, a comment, a dollar quote, an identifier) in both
// dialects. Each gives a clear error or works, never a crash, and a refused build leaves no
// dist/. (Table names in config: tests/unit/config_test.cc; NUL bytes and non-UTF-8: the
// nul_byte and non_utf8 fixtures; a 50 MB migration: tests/e2e/large_file_test.cc.)
#include <catch2/catch.hpp>

#include "e2e/project.h"
#include "support/pg.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

bool HasControl(const std::string& text) {
  for (char c : text) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\n') || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("faults: hostile file names are refused by name, printed safely", "[faults][e2e]") {
  const std::vector<std::pair<std::string, std::string>> names = {
      {"1_with space", "1_with space"},
      {"1_caf\xc3\xa9", "1_caf\xc3\xa9"},
      {"1_it's", "1_it's"},
      {"1_a\"b", "1_a\"b"},
      {"1_a\nb", "1_a\\x0ab"},
      {"1_a\x1b[31mred", "1_a\\x1b[31mred"},
      {"1_tab\there", "1_tab\\x09here"},
      {"1_-", ""}};
  for (const auto& [base, shown] : names) {
    Project p;
    p.Add(base + ".up.sql", "CREATE TABLE a (id integer);\n");
    p.Add(base + ".down.sql", "DROP TABLE a;\n");
    ProcessResult r = p.Run({"build"});
    INFO(shown << "\n" << r.out << r.err);
    if (shown.empty()) {  // a valid slug
      CHECK(r.exit_code == 0);
      CHECK(p.Run({"run"}).exit_code == 0);
      continue;
    }
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("migrations/" + shown + ".up.sql: error[bad-name]") &&
                          Catch::Contains("may only hold letters, digits"));
    CHECK_FALSE(HasControl(r.out + r.err));
    CHECK_FALSE(fs::exists(p / "dist"));
  }
  Project p;
  p.Add("1_a.up.sql", "CREATE TABLE a (id integer);\n");
  p.Add("1_a.down.sql", "DROP TABLE a;\n");
  fs::create_directories(p / "migrations/2_b.up.sql");
  ProcessResult r = p.Run({"build"});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("migrations/2_b.up.sql: error[bad-name]: a folder named like "
                                    "a migration; it never runs"));
}

TEST_CASE("faults: 10,000 statements in one file build and run on SQLite and PostgreSQL",
          "[faults][postgres]") {
  std::string up = "CREATE TABLE many (id integer);\n";
  for (int i = 0; i < 10000; ++i) up += "INSERT INTO many VALUES (" + std::to_string(i) + ");\n";
  for (const std::string dialect : {"sqlite", "postgres"}) {
    PgDatabase db;
    Project p("dialects = [\"" + dialect + "\"]\n");
    p.Add("1_many.up.sql", up);
    p.Add("1_many.down.sql", "DROP TABLE many;\n");
    std::map<std::string, std::string> env;
    if (dialect == "postgres") env["DATABASE_URL"] = db.url();
    ProcessResult build = p.Run({"build"}, env);
    INFO(dialect << "\n" << build.out << build.err);
    REQUIRE(build.exit_code == 0);
    ProcessResult run = p.Run({"run"}, env);
    INFO(run.out << run.err);
    CHECK(run.exit_code == 0);
    std::string count = "SELECT count(*) || ':' || sum(id) FROM many";
    CHECK((dialect == "sqlite" ? p.Query(count) : db.Query(count)) ==
          std::vector<std::string>{"10000:49995000"});
  }
}

TEST_CASE("faults: SQL that never ends is refused at build, naming where it starts",
          "[faults][e2e]") {
  struct Case {
    std::string sql, where;
  };
  const std::vector<Case> cases = {
      {"CREATE TABLE a (x text);\nINSERT INTO a VALUES ('never ends);\n", ":2:"},
      {"CREATE TABLE a (x text);\n/* a comment\nthat never ends;\n", ":2:"},
      {"CREATE TABLE a (x text);\nSELECT $$ never\nends;\n", ":2:"},
      {"CREATE TABLE a (x text);\nSELECT $tag$ never $$ ends;\n", ":2:"},
      {"CREATE TABLE a (x text);\nSELECT \"never ends FROM a;\n", ":2:"},
      {"CREATE TABLE a (x text);\nINSERT INTO a VALUES ('/*');\n/* open\nDROP TABLE a;\n", ":3:"}};
  for (const std::string dialect : {"sqlite", "postgres"}) {
    for (const Case& c : cases) {
      if (dialect == "sqlite" && c.sql.find('$') != std::string::npos) continue;
      Project p("dialects = [\"" + dialect + "\"]\n");
      p.Add("1_a.up.sql", c.sql);
      p.Add("1_a.down.sql", "DROP TABLE a;\n");
      ProcessResult r = p.Run({"build", "--no-rehearse"});
      INFO(dialect << ": " << c.sql << "\n" << r.out << r.err);
      CHECK(r.exit_code == 3);
      CHECK_THAT(r.err, Catch::Contains("1_a.up.sql" + c.where) &&
                            (Catch::Contains("never ends") || Catch::Contains("unterminated")));
      CHECK_FALSE(fs::exists(p / "dist"));
    }
  }
}
