// The dialects on files too large to parse whole (docs/design.md §2, "Large files").
#include <catch2/catch.hpp>
#include <string>

#include "migrate/dialect.h"
#include "migrate/sql_text.h"
#include "postgres/postgres_driver.h"
#include "sqlite/sqlite_driver.h"

using namespace migrate;

namespace {

// An INSERT of at least `bytes` bytes.
std::string BigInsert(std::size_t bytes) {
  std::string sql = "INSERT INTO big (id, note) VALUES (0, 'a;b')";
  for (int i = 1; sql.size() < bytes; ++i) sql += ",(" + std::to_string(i) + ", 'x')";
  return sql + ";\n";
}

std::string First(std::string_view sql, const Statement& s, std::size_t n = 12) {
  return std::string(sql.substr(s.offset, std::min(n, s.length)));
}

}  // namespace

TEST_CASE("PostgreSQL: a large file is split by the scanner, small statements still parsed",
          "[unit]") {
  const Dialect& d = postgres::PostgresDialect();
  std::string sql = "CREATE TABLE big (id int, note text);\n" + BigInsert(300 * 1024) +
                    "CREATE FUNCTION f() RETURNS int LANGUAGE sql\n"
                    "BEGIN ATOMIC SELECT 1; SELECT 2; END;\n"
                    "CREATE INDEX CONCURRENTLY big_id ON big (id);\n";
  SplitResult r = d.Split(sql);
  REQUIRE_FALSE(r.error_offset);
  REQUIRE(r.statements.size() == 4);
  CHECK(First(sql, r.statements[1]) == "INSERT INTO ");
  CHECK(sql.substr(r.statements[1].offset + r.statements[1].length - 2, 2) == ");");
  CHECK(First(sql, r.statements[2], 15) == "CREATE FUNCTION");
  CHECK(r.statements[3].outside_transaction == "CREATE INDEX CONCURRENTLY");
  CHECK(d.Fingerprint(sql) == TokenFingerprint(sql));

  std::vector<StatementInfo> info = d.Analyze(sql);
  REQUIRE(info.size() == 4);
  CHECK(info[0].kind == "CREATE TABLE");
  CHECK(info[0].table == "big");
  CHECK(info[1].kind == "INSERT");
  CHECK(info[1].lock == "ROW EXCLUSIVE");
  CHECK(info[1].offset == r.statements[1].offset);
  CHECK(info[3].lock == "SHARE UPDATE EXCLUSIVE");
}

TEST_CASE("PostgreSQL: a syntax error in a large file is found at its place", "[unit]") {
  const Dialect& d = postgres::PostgresDialect();
  std::string head = BigInsert(300 * 1024);
  std::string sql = head + "CREATE TABLE t (id int,);\n";
  SplitResult r = d.Split(sql);
  REQUIRE(r.error_offset);
  CHECK(*r.error_offset == head.size() + std::string("CREATE TABLE t (id int,").size());
  CHECK(r.statements.empty());
  SplitResult open = d.Split(BigInsert(300 * 1024) + "SELECT 'unterminated;\n");
  CHECK(open.error_offset);
}

TEST_CASE("PostgreSQL: a small file keeps its parse-tree fingerprint", "[unit]") {
  const Dialect& d = postgres::PostgresDialect();
  std::string sql = "INSERT INTO t VALUES (1);\n";
  CHECK(d.Fingerprint(sql) != TokenFingerprint(sql));
  CHECK(d.Fingerprint(sql) == d.Fingerprint("insert   into t values(1) ;"));
}

TEST_CASE("SQLite: a statement over 16 MiB is refused, smaller ones are not", "[unit]") {
  const Dialect& d = sqlite::SqliteDialect();
  CHECK(d.MaxStatementBytes() == std::size_t{16} << 20);
  Diagnostics diags;
  std::string sql = "SELECT 1;\n" + BigInsert(d.MaxStatementBytes() + 1);
  PreparedSql p = PrepareSql(d, sql, Directives{}, "x.up.sql", diags);
  CHECK(p.statements.size() == 2);
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].rule == kStatementTooLarge);
  CHECK(diags[0].where.line == 2);
  Diagnostics none;
  PrepareSql(d, BigInsert(1 << 20), Directives{}, "x.up.sql", none);
  CHECK(none.empty());
}
