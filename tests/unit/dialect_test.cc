#include "migrate/dialect.h"

#include <catch2/catch.hpp>

#include "migrate/sql_text.h"
#include "postgres/postgres_driver.h"
#include "sqlite/sqlite_driver.h"

using namespace migrate;

namespace {

std::vector<std::string> Texts(std::string_view sql, const std::vector<Statement>& st) {
  std::vector<std::string> out;
  for (const Statement& s : st) out.emplace_back(sql.substr(s.offset, s.length));
  return out;
}

}  // namespace

TEST_CASE("transaction control is classified from the first keywords", "[unit]") {
  CHECK(ClassifyStatement("BEGIN;") == StatementKind::kBegin);
  CHECK(ClassifyStatement("-- x\n begin transaction;") == StatementKind::kBegin);
  CHECK(ClassifyStatement("START TRANSACTION;") == StatementKind::kBegin);
  CHECK(ClassifyStatement("COMMIT;") == StatementKind::kCommit);
  CHECK(ClassifyStatement("end;") == StatementKind::kCommit);
  CHECK(ClassifyStatement("ROLLBACK;") == StatementKind::kRollback);
  CHECK(ClassifyStatement("ROLLBACK TO SAVEPOINT a;") == StatementKind::kOther);
  CHECK(ClassifyStatement("CREATE TABLE begin_x (a int);") == StatementKind::kOther);
}

TEST_CASE("SQLite splits where sqlite3_complete says a statement ends", "[unit]") {
  const Dialect& d = sqlite::SqliteDialect();
  std::string sql =
      "-- header; with a semicolon\n"
      "CREATE TABLE `a;b` (x TEXT DEFAULT 'x;y');\n"
      "CREATE TRIGGER t AFTER INSERT ON \"a;b\" BEGIN\n  UPDATE x SET y = 1;\n  SELECT 2;\nEND;\n"
      "/* c; */ INSERT INTO [q;] VALUES (1)";
  SplitResult r = d.Split(sql);
  REQUIRE_FALSE(r.error_offset);
  auto texts = Texts(sql, r.statements);
  REQUIRE(texts.size() == 3);
  CHECK(texts[0] == "CREATE TABLE `a;b` (x TEXT DEFAULT 'x;y');");
  CHECK(texts[1].rfind("CREATE TRIGGER", 0) == 0);
  CHECK(texts[1].back() == ';');
  CHECK(texts[2] == "INSERT INTO [q;] VALUES (1)");
  CHECK(d.Split("").statements.empty());
  CHECK(d.Split("-- only a comment\n").statements.empty());
}

TEST_CASE("SQLite reports an unterminated statement", "[unit]") {
  SplitResult r = sqlite::SqliteDialect().Split("SELECT 1;\nSELECT 'open;\n");
  REQUIRE(r.error_offset);
  CHECK(*r.error_offset == 10);
}

TEST_CASE("PostgreSQL splits with libpg_query and reports syntax errors", "[unit]") {
  const Dialect& d = postgres::PostgresDialect();
  std::string sql =
      "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n"
      "-- comment\nCREATE TABLE t (id int);";
  SplitResult r = d.Split(sql);
  REQUIRE_FALSE(r.error_offset);
  auto texts = Texts(sql, r.statements);
  REQUIRE(texts.size() == 2);
  CHECK(texts[1] == "CREATE TABLE t (id int);");
  SplitResult bad = d.Split("SELECT 1;\nCREATE TABLEE t (id int);");
  REQUIRE(bad.error_offset);
  CHECK(*bad.error_offset == 17);  // "TABLEE"
  CHECK_THAT(bad.error_message, Catch::Contains("syntax error"));
}

TEST_CASE("a file's own BEGIN/COMMIT wrapper is dropped, other control is refused", "[unit]") {
  const Dialect& d = sqlite::SqliteDialect();
  Diagnostics diags;
  PreparedSql wrapped =
      PrepareSql(d, "BEGIN;\nCREATE TABLE a (x);\nCOMMIT;\n", Directives{}, "w.sql", diags);
  CHECK(diags.empty());
  CHECK(wrapped.self_wrapped);
  CHECK(wrapped.statements.size() == 1);

  PrepareSql(d, "CREATE TABLE a (x);\nCOMMIT;\nCREATE TABLE b (x);\n", Directives{}, "m.sql",
             diags);
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].rule == "transaction-control");
  CHECK(diags[0].where.ToString() == "m.sql:2:1");
  CHECK_THAT(diags[0].message, Catch::Contains("-- migrate:no-transaction"));

  Directives no_tx;
  no_tx.no_transaction = true;
  diags.clear();
  PreparedSql kept = PrepareSql(d, "BEGIN;\nSELECT 1;\nCOMMIT;\n", no_tx, "n.sql", diags);
  CHECK(diags.empty());
  CHECK(kept.statements.size() == 3);
}

TEST_CASE("the PostgreSQL fingerprint sees values that pg_query_fingerprint ignores", "[unit]") {
  const Dialect& pg = postgres::PostgresDialect();
  std::string a = pg.Fingerprint("INSERT INTO t VALUES (1);");
  CHECK(pg.Fingerprint("-- seed\ninsert into t\n  values (1)  ;") == a);
  CHECK(pg.Fingerprint("INSERT INTO t VALUES (2);") != a);
  CHECK(pg.Fingerprint("CREATE TABLE t (a int); CREATE TABLE u (a int);") !=
        pg.Fingerprint("CREATE TABLE u (a int); CREATE TABLE t (a int);"));
  // A file that does not parse still gets a stable fingerprint (from its tokens).
  CHECK(pg.Fingerprint("CREATE TABLEE t;") == pg.Fingerprint("create tablee t ;"));
}

TEST_CASE("PostgreSQL statements start after nested comments (a fuzz finding)", "[unit]") {
  // PostgreSQL's /* */ comments nest; the statement once started at "c */".
  std::string sql = "/* a /* b */ c */ CREATE INDEX CONCURRENTLY i ON t (a);";
  for (const SplitResult& r :
       {postgres::PostgresDialect().Split(sql), postgres::PostgresDialect().SplitNewer(sql)}) {
    REQUIRE_FALSE(r.error_offset);
    REQUIRE(r.statements.size() == 1);
    CHECK(Texts(sql, r.statements)[0] == "CREATE INDEX CONCURRENTLY i ON t (a);");
  }
  CHECK(postgres::PostgresDialect().Analyze(sql).at(0).offset == 18);
  CHECK(SkipSqlTrivia(sql) == 13);  // SQLite's reading: the comment ends at the first */
}

TEST_CASE("PostgreSQL refuses text that is not UTF-8 without throwing (a fuzz finding)", "[unit]") {
  // Its bytes came back from libpg_query inside JSON that nlohmann refused with an exception.
  std::string sql = "CREATE INDEX CONCURRENTLY i ON t (a) WHERE b = '\xff';";
  const Dialect& d = postgres::PostgresDialect();
  for (const SplitResult& r : {d.Split(sql), d.SplitNewer(sql)}) {
    REQUIRE(r.error_offset);
    CHECK(*r.error_offset == sql.find('\xff'));
    CHECK(r.statements.empty());
  }
  CHECK(d.Analyze(sql).empty());
}

TEST_CASE("a CR ends a PostgreSQL -- comment, as the server reads it (a fuzz finding)", "[unit]") {
  // The statement after "-- note\r" was taken for the rest of the comment and dropped.
  std::string sql = "-- note\rCREATE TABLE t (a int);\r-- end";
  SplitResult r = postgres::PostgresDialect().Split(sql);
  REQUIRE_FALSE(r.error_offset);
  REQUIRE(r.statements.size() == 1);
  CHECK(Texts(sql, r.statements)[0] == "CREATE TABLE t (a int);");
  REQUIRE(postgres::PostgresDialect().Analyze(sql).size() == 1);
  CHECK(postgres::PostgresDialect().Analyze(sql)[0].offset == 8);
}
