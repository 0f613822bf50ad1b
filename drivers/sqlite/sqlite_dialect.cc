#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "migrate/naming.h"
#include "migrate/sql_text.h"
#include "sqlite/sqlite_driver.h"

namespace migrate::sqlite {
namespace {

// docs/guide.md "What `build` checks": the largest statement a SQLite migration may hold.
constexpr std::size_t kMaxStatementBytes = std::size_t{16} << 20;

// What every statement of a SQLite migration takes (Analyze).
constexpr std::string_view kDatabaseWriteLock = "database write lock";

class SqlDialect final : public Dialect {
 public:
  std::string_view Name() const override { return kDialectSqlite; }

  std::string Fingerprint(std::string_view sql) const override { return TokenFingerprint(sql); }

  // sqlite3_prepare of a 50 MB INSERT … VALUES takes 2.9 GB and 100 s (docs/benchmarks.md).
  std::size_t MaxStatementBytes() const override { return kMaxStatementBytes; }

  // SQLite locks the whole database for writing while a migration's transaction is open; its
  // statements are named by their first keyword. No lint facts: the rules are PostgreSQL's.
  std::vector<StatementInfo> Analyze(std::string_view sql) const override {
    std::vector<StatementInfo> out;
    SplitResult split = Split(sql);
    if (split.error_offset) return out;
    for (const Statement& st : split.statements) {
      StatementInfo info;
      info.offset = st.offset;
      for (std::size_t i = st.offset;
           i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i])); ++i) {
        info.kind.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i]))));
      }
      info.lock = std::string(kDatabaseWriteLock);
      out.push_back(std::move(info));
    }
    return out;
  }

  // SQLite exposes no tokenizer: the engine's lexer, with SQLite's own list of keywords.
  std::vector<SqlToken> Tokens(std::string_view sql) const override {
    return LexSqlTokens(sql, [](std::string_view word) {
      return sqlite3_keyword_check(word.data(), static_cast<int>(word.size())) != 0;
    });
  }

  bool IsReservedWord(std::string_view word) const override {
    return sqlite3_keyword_check(word.data(), static_cast<int>(word.size())) != 0;
  }

  // One lock, on the whole database.
  int LockStrength(std::string_view lock) const override {
    return lock == kDatabaseWriteLock ? 0 : -1;
  }

  SplitResult Split(std::string_view sql) const override {
    SplitResult out;
    std::string buf(sql);  // sqlite3_complete reads up to a NUL; we move that NUL along
    std::size_t start = 0;
    for (std::size_t semi = buf.find(';'); semi != std::string::npos;
         semi = buf.find(';', semi + 1)) {
      char saved = buf[semi + 1];
      buf[semi + 1] = '\0';
      bool complete = sqlite3_complete(buf.c_str() + start) != 0;
      buf[semi + 1] = saved;
      if (!complete) continue;
      Add(sql, start, semi + 1, out);
      start = semi + 1;
    }
    if (std::size_t open = OpenComment(sql, start); open != std::string_view::npos) {
      // SQLite reads an unclosed /* as a comment to the end of the input: whatever follows it
      // (statements too) would silently never run.
      out.error_offset = open;
      out.error_message =
          "this comment never ends: SQLite would take the rest of the file as comment, and no "
          "statement after it would run; close it with */";
    } else if (!IsBlankSql(sql.substr(start))) {
      std::string rest(sql.substr(start));
      rest += "\n;";
      if (sqlite3_complete(rest.c_str())) {
        Add(sql, start, sql.size(), out);  // a last statement without its ';'
      } else {
        out.error_offset = SkipSqlTrivia(sql, start);
        out.error_message =
            "this statement never ends: a quote, comment or CREATE TRIGGER ... END block is "
            "not closed";
      }
    }
    return out;
  }

 private:
  // Where a block comment that is never closed opens in the blank tail of `sql` from `pos`
  // (comments, white space and stray ';'), or npos.
  static std::size_t OpenComment(std::string_view sql, std::size_t pos) {
    while (pos < sql.size()) {
      if (sql.substr(pos, 2) == "/*") {
        std::size_t close = sql.find("*/", pos + 2);
        if (close == std::string_view::npos) return pos;
        pos = close + 2;
      } else if (sql.substr(pos, 2) == "--") {
        pos = std::min(sql.size(), sql.find('\n', pos));
      } else if (sql[pos] == ';' || std::isspace(static_cast<unsigned char>(sql[pos]))) {
        ++pos;
      } else {
        return std::string_view::npos;  // a statement
      }
    }
    return std::string_view::npos;
  }

  static void Add(std::string_view sql, std::size_t begin, std::size_t end, SplitResult& out) {
    std::string_view piece = sql.substr(begin, end - begin);
    if (IsBlankSql(piece)) return;
    std::size_t first = SkipSqlTrivia(sql, begin);
    Statement st{first, end - first, StatementKind::kOther, {}, {}};
    st.kind = ClassifyStatement(sql.substr(first, end - first));
    out.statements.push_back(st);
  }
};

}  // namespace

const Dialect& SqliteDialect() {
  static const SqlDialect kDialect;
  return kDialect;
}

}  // namespace migrate::sqlite
