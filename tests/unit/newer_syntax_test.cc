// A project that targets a PostgreSQL newer than the grammar the build has (postgres_version
// above 15): the scanner fallback of the PostgreSQL dialect, the "unknown" analysis of what the
// grammar rejects, and how PrepareSql, lint and MakeStep treat it (docs/design.md §2).
#include <catch2/catch.hpp>

#include "migrate/dialect.h"
#include "migrate/lint.h"
#include "migrate/planner.h"
#include "migrate/sql_text.h"
#include "postgres/postgres_driver.h"
#include "sqlite/sqlite_driver.h"

using namespace migrate;

namespace {

// Ordinary statements, $$ bodies with semicolons, a BEGIN ATOMIC body, and two statements of
// PostgreSQL 18 and 17 that the PostgreSQL 15 grammar rejects.
const std::string kNewer =
    "CREATE TABLE t (id int, email text);\n"                                             // 1
    "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;\n"  // 2
    "ALTER TABLE t ADD CONSTRAINT t_email_nn NOT NULL email;\n"                          // 3
    "CREATE FUNCTION g() RETURNS bigint LANGUAGE sql\n"                                  // 4
    "BEGIN ATOMIC\n  SELECT count(*) FROM t;\nEND;\n"                                    // 5-7
    "SELECT 'a;b' FROM (SELECT 1);\n"                                                    // 8
    "DROP TABLE t;\n";                                                                   // 9

std::vector<std::string> Texts(std::string_view sql, const std::vector<Statement>& st) {
  std::vector<std::string> out;
  for (const Statement& s : st) out.emplace_back(sql.substr(s.offset, s.length));
  return out;
}

}  // namespace

TEST_CASE(
    "newer PostgreSQL syntax splits with the scanner, only what the grammar rejects is "
    "unchecked",
    "[unit]") {
  const Dialect& pg = postgres::PostgresDialect();
  CHECK(pg.GrammarVersion() == 15);
  REQUIRE(pg.Split(kNewer).error_offset);  // the grammar alone refuses the file

  SplitResult r = pg.SplitNewer(kNewer);
  REQUIRE_FALSE(r.error_offset);
  std::vector<std::string> texts = Texts(kNewer, r.statements);
  REQUIRE(texts.size() == 6);
  CHECK(texts[0] == "CREATE TABLE t (id int, email text);");
  CHECK(texts[1].ends_with("END; $$;"));
  CHECK(texts[2] == "ALTER TABLE t ADD CONSTRAINT t_email_nn NOT NULL email;");
  CHECK(texts[3].ends_with("FROM t;\nEND;"));  // the BEGIN ATOMIC body stays whole
  CHECK(texts[4] == "SELECT 'a;b' FROM (SELECT 1);");
  CHECK(texts[5] == "DROP TABLE t;");
  std::vector<bool> unchecked;
  for (const Statement& s : r.statements) unchecked.push_back(!s.unchecked.empty());
  CHECK(unchecked == std::vector<bool>{false, false, true, false, true, false});
  CHECK_THAT(r.statements[4].unchecked, Catch::Contains("subquery in FROM must have an alias"));

  // A file the grammar reads splits as Split does; text the scanner cannot read still fails.
  CHECK(pg.SplitNewer("SELECT 1; SELECT 2;").statements.size() == 2);
  SplitResult open = pg.SplitNewer("SELECT 1;\nSELECT 'open;\n");
  REQUIRE(open.error_offset);
  CHECK_THAT(open.error_message, Catch::Contains("unterminated"));
}

TEST_CASE("what the grammar rejects has an unknown lock and no facts, never a safe one", "[unit]") {
  const Dialect& pg = postgres::PostgresDialect();
  std::vector<StatementInfo> infos = pg.Analyze(kNewer);
  REQUIRE(infos.size() == 6);
  CHECK(infos[0].kind == "CREATE TABLE");
  CHECK(infos[2].unknown);
  CHECK(infos[2].lock == "unknown");
  CHECK(infos[2].facts.empty());
  CHECK(infos[2].offset == kNewer.find("ALTER TABLE"));
  CHECK(infos[4].unknown);
  CHECK_FALSE(infos[3].unknown);
  CHECK(infos[5].kind == "DROP TABLE");
  CHECK(infos[5].offset == kNewer.find("DROP TABLE"));
  CHECK(infos[5].facts.size() == 1);  // dropping-table: what the grammar reads is judged
}

TEST_CASE("PrepareSql warns about newer syntax only when the target is newer than the grammar",
          "[unit]") {
  const Dialect& pg = postgres::PostgresDialect();
  Diagnostics diags;
  PreparedSql newer = PrepareSql(pg, kNewer, Directives{}, "m.sql", diags, 17);
  CHECK(newer.statements.size() == 6);
  REQUIRE(diags.size() == 2);
  CHECK(diags[0].severity == Severity::kWarning);
  CHECK(diags[0].rule == "unchecked-syntax");
  CHECK(diags[0].where.ToString() == "m.sql:3:1");
  CHECK_THAT(diags[0].message,
             Catch::StartsWith(
                 "not checked: newer than the PostgreSQL 15 grammar; the server will check it"));
  CHECK(diags[1].where.ToString() == "m.sql:8:1");

  for (int target : {0, 14, 15}) {
    diags.clear();
    CHECK(PrepareSql(pg, kNewer, Directives{}, "m.sql", diags, target).statements.empty());
    REQUIRE(diags.size() == 1);
    CHECK(diags[0].severity == Severity::kError);
    CHECK(diags[0].rule == "syntax");
    CHECK(diags[0].where.ToString() == "m.sql:3:41");
  }
  // SQLite has no grammar version: a target changes nothing.
  CHECK_FALSE(NewerThanGrammar(sqlite::SqliteDialect(), 17));
}

TEST_CASE("the fingerprint of a file with newer syntax is its token stream's", "[unit]") {
  const Dialect& pg = postgres::PostgresDialect();
  CHECK(pg.Fingerprint(kNewer) == TokenFingerprint(kNewer));
  std::string reformatted = kNewer;
  reformatted.replace(reformatted.find("NOT NULL"), 8, "not   null");
  CHECK(pg.Fingerprint(reformatted) == pg.Fingerprint(kNewer));
  CHECK(pg.Fingerprint("SELECT 2 FROM (SELECT 1);") != pg.Fingerprint("SELECT 3 FROM (SELECT 1);"));
}

TEST_CASE("lint and plan say unknown for newer syntax, and lint nothing at the grammar's version",
          "[unit]") {
  const Dialect& pg = postgres::PostgresDialect();
  LintSettings settings;
  settings.postgres_version = 17;
  Diagnostics newer = LintFile(pg, "m.sql", kNewer, Directives{}, settings);
  REQUIRE(newer.size() == 1);  // DROP TABLE, read by the grammar
  CHECK(newer[0].rule == "dropping-table");

  settings.postgres_version = 15;  // the build reports the syntax error: nothing to lint
  CHECK(LintFile(pg, "m.sql", kNewer, Directives{}, settings).empty());

  // plan: MakeStep splits for the target, and LintStep names each unknown statement.
  ManifestEntry entry;
  entry.version = "1";
  entry.slug = "newer";
  ManifestFile file;
  file.name = "1_newer.up.sql";
  entry.files.push_back(file);
  PlannedStep planned{&entry, &entry.files[0], Direction::kUp, nullptr, ""};
  CHECK_THROWS_AS(MakeStep(planned, kNewer, pg, {}), Error);
  Step step = MakeStep(planned, kNewer, pg, {}, 17);
  CHECK(step.statements.size() == 6);
  settings.postgres_version = 17;
  Diagnostics plan = LintStep(pg, step, settings);
  REQUIRE(plan.size() == 3);
  CHECK(plan[1].rule == "unchecked-syntax");
  CHECK(plan[1].where.line == 3);
  CHECK(plan[2].where.line == 8);
}
