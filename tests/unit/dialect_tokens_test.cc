// Dialect::Tokens (the highlighting of plan --format html) and Dialect::LockStrength (its
// summary's strongest lock), for both dialects.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "migrate/dialect.h"
#include "postgres/postgres_driver.h"
#include "sqlite/sqlite_driver.h"

using namespace migrate;

namespace {

// Each token as "k:text", "s:text" or "c:text".
std::vector<std::string> Marked(const Dialect& d, std::string_view sql) {
  std::vector<std::string> out;
  for (const SqlToken& t : d.Tokens(sql)) {
    char kind = t.kind == SqlToken::Kind::kKeyword  ? 'k'
                : t.kind == SqlToken::Kind::kString ? 's'
                                                    : 'c';
    out.push_back(std::string(1, kind) + ":" + std::string(sql.substr(t.offset, t.length)));
  }
  return out;
}

}  // namespace

TEST_CASE("postgres tokens: keywords, strings and comments as the server's scanner reads them",
          "[unit]") {
  const Dialect& pg = postgres::PostgresDialect();
  std::string sql =
      "/* a /* nested */ one */ CREATE TABLE t (x text DEFAULT E'it''s');\n"
      "-- done\nSELECT $f$ -- not a comment $f$ AS note;";
  CHECK(Marked(pg, sql) == std::vector<std::string>{"c:/* a /* nested */ one */", "k:CREATE",
                                                    "k:TABLE", "k:text", "k:DEFAULT", "s:E'it''s'",
                                                    "c:-- done", "k:SELECT",
                                                    "s:$f$ -- not a comment $f$", "k:AS"});
  CHECK(pg.Tokens("SELECT 'open;").empty());  // the scanner cannot read it: shown plain
  std::string large = "SELECT 1;\n";
  while (large.size() <= (std::size_t{256} << 10)) large += "-- padding padding padding\n";
  CHECK(pg.Tokens(large).empty());  // above the parse limit: shown plain, never scanned
}

TEST_CASE("sqlite tokens: SQLite's keywords over the engine's lexer", "[unit]") {
  const Dialect& lite = sqlite::SqliteDialect();
  std::string sql = "CREATE TABLE \"select\" (x TEXT DEFAULT 'a''b') /* c */; -- end\nvacuum";
  CHECK(Marked(lite, sql) == std::vector<std::string>{"k:CREATE", "k:TABLE", "k:DEFAULT",
                                                      "s:'a''b'", "c:/* c */", "c:-- end",
                                                      "k:vacuum"});
}

TEST_CASE("lock strength orders PostgreSQL's lock modes, and SQLite has one", "[unit]") {
  const Dialect& pg = postgres::PostgresDialect();
  CHECK(pg.LockStrength("ACCESS SHARE") == 0);
  CHECK(pg.LockStrength("ROW EXCLUSIVE") < pg.LockStrength("SHARE UPDATE EXCLUSIVE"));
  CHECK(pg.LockStrength("SHARE UPDATE EXCLUSIVE") < pg.LockStrength("ACCESS EXCLUSIVE"));
  CHECK(pg.LockStrength("unknown") == -1);
  CHECK(pg.LockStrength("") == -1);
  const Dialect& lite = sqlite::SqliteDialect();
  CHECK(lite.LockStrength("database write lock") == 0);
  CHECK(lite.LockStrength("") == -1);
}
