// The fuzz targets of the dialects: how the PostgreSQL dialect (libpg_query) and the SQLite
// dialect (sqlite3_complete) cut a migration file into statements (fuzz/harness.h).
#include <string>

#include "fuzz/harness.h"
#include "migrate/dialect.h"
#include "migrate/sql_text.h"
#include "postgres/postgres_driver.h"
#include "sqlite/sqlite_driver.h"

namespace migrate::fuzz {
namespace {

// The statements of `r` lie within `sql`, in order, without overlapping, each starting at a
// token (`skip_trivia`: as the dialect reads comments); a split that failed says where, within
// `sql`.
void CheckStatements(std::string_view sql, const SplitResult& r, const std::string& what,
                     std::size_t (*skip_trivia)(std::string_view, std::size_t)) {
  std::size_t end = 0;
  for (const Statement& s : r.statements) {
    Check(s.offset >= end, what + ": statements overlap or go backwards");
    Check(s.length > 0 && s.length <= sql.size() - s.offset, what + ": a statement out of bounds");
    Check(skip_trivia(sql, s.offset) == s.offset, what + ": a statement starts in a comment");
    end = s.offset + s.length;
  }
  Check(!r.error_offset || *r.error_offset <= sql.size(), what + ": an error past the end");
}

// Each statement of a split that succeeded is, on its own, one statement of the same kind:
// a no-transaction migration runs its statements one at a time.
void CheckAlone(const Dialect& dialect, std::string_view sql, const SplitResult& r) {
  if (r.error_offset) return;
  for (const Statement& s : r.statements) {
    std::string_view text = sql.substr(s.offset, s.length);
    SplitResult alone = dialect.Split(text);
    Check(!alone.error_offset, std::string(dialect.Name()) + ": a statement fails alone: " +
                                   alone.error_message + ": " + std::string(text));
    Check(alone.statements.size() == 1,
          std::string(dialect.Name()) + ": a statement is not one alone: " + std::string(text));
    Check(alone.statements[0].kind == s.kind, "a statement's kind changes alone");
  }
}

void CheckAnalysis(const Dialect& dialect, std::string_view sql) {
  for (const StatementInfo& info : dialect.Analyze(sql)) {
    Check(info.offset <= sql.size(), "an analysed statement out of bounds");
  }
  // The review page highlights tokens in order: they must not overlap or leave the text.
  std::size_t end = 0;
  for (const SqlToken& t : dialect.Tokens(sql)) {
    Check(t.offset >= end && t.length > 0 && t.length <= sql.size() - t.offset,
          "tokens overlap, go backwards or leave the text");
    end = t.offset + t.length;
  }
  std::string fp = dialect.Fingerprint(sql);
  Check(fp.size() == 64 && fp.find_first_not_of("0123456789abcdef") == std::string::npos,
        "a fingerprint that is not SHA-256 hex");
}

}  // namespace

// The loader refuses a file holding a NUL byte before any dialect sees it (source_text), so
// such inputs are not migration files and are skipped.
void FuzzPostgresSplit(std::string_view input) {
  if (input.find('\0') != std::string_view::npos) return;
  const Dialect& pg = postgres::PostgresDialect();
  SplitResult strict = pg.Split(input);
  CheckStatements(input, strict, "Split", SkipPostgresTrivia);
  Check(!strict.error_offset || strict.statements.empty(), "Split: statements and an error");
  CheckAlone(pg, input, strict);
  SplitResult newer = pg.SplitNewer(input);
  CheckStatements(input, newer, "SplitNewer", SkipPostgresTrivia);
  if (!strict.error_offset) {
    Check(newer.statements.size() == strict.statements.size(), "SplitNewer differs from Split");
  }
  CheckAnalysis(pg, input);
}

void FuzzSqliteSplit(std::string_view input) {
  if (input.find('\0') != std::string_view::npos) return;
  const Dialect& lite = sqlite::SqliteDialect();
  SplitResult r = lite.Split(input);
  CheckStatements(input, r, "Split", SkipSqlTrivia);
  CheckAlone(lite, input, r);
  CheckAnalysis(lite, input);
}

}  // namespace migrate::fuzz
