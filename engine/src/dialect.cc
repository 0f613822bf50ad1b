#include "migrate/dialect.h"

#include <cctype>

#include "migrate/naming.h"
#include "migrate/source_text.h"
#include "migrate/sql_text.h"

namespace migrate {
namespace {

// The next word (letters and '_') at `pos` after trivia, uppercased; advances `pos`.
std::string NextWord(std::string_view s, std::size_t& pos) {
  pos = SkipSqlTrivia(s, pos);
  std::string word;
  while (pos < s.size() && (std::isalpha(static_cast<unsigned char>(s[pos])) || s[pos] == '_')) {
    word.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(s[pos]))));
    ++pos;
  }
  return word;
}

SourceLocation LocationOf(std::string_view sql, const std::string& file, std::size_t offset) {
  LineColumn lc = LineColumnAt(sql, offset);
  return SourceLocation{file, lc.line, lc.column};
}

// Reports each statement larger than the dialect can run at a reasonable memory cost.
void CheckSizes(const Dialect& dialect, std::string_view sql, const std::string& file,
                const std::vector<Statement>& statements, Diagnostics& diagnostics) {
  std::size_t max = dialect.MaxStatementBytes();
  if (max == 0) return;
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  for (const Statement& s : statements) {
    if (s.length <= max) continue;
    diagnostics.push_back(
        {Severity::kError, std::string(kStatementTooLarge), LocationOf(sql, file, s.offset),
         "this statement is " + std::to_string((s.length + kMiB - 1) / kMiB) +
             " MiB; a statement may be at most " + std::to_string(max / kMiB) + " MiB on " +
             (dialect.Name() == kDialectSqlite ? "SQLite" : std::string(dialect.Name())) +
             " (compiling one takes about 60 times its size in memory). Split it into several "
             "statements, e.g. one INSERT per few thousand rows"});
  }
}

}  // namespace

StatementKind ClassifyStatement(std::string_view statement) {
  std::size_t pos = 0;
  std::string first = NextWord(statement, pos);
  if (first == "BEGIN") {
    // PostgreSQL's BEGIN ATOMIC only appears inside CREATE FUNCTION, never first.
    return StatementKind::kBegin;
  }
  if (first == "START") {
    return NextWord(statement, pos) == "TRANSACTION" ? StatementKind::kBegin
                                                     : StatementKind::kOther;
  }
  if (first == "COMMIT" || first == "END") return StatementKind::kCommit;
  if (first == "PREPARE" && NextWord(statement, pos) == "TRANSACTION") {
    return StatementKind::kPrepareTransaction;  // ends the transaction, its work held
  }
  if (first == "ROLLBACK" || first == "ABORT") {
    std::string second = NextWord(statement, pos);
    if (second == "TRANSACTION" || second == "WORK") second = NextWord(statement, pos);
    return second == "TO" ? StatementKind::kOther : StatementKind::kRollback;
  }
  return StatementKind::kOther;
}

bool NewerThanGrammar(const Dialect& dialect, int target_version) {
  return dialect.GrammarVersion() > 0 && target_version > dialect.GrammarVersion();
}

std::string UncheckedMessage(const Dialect& dialect, const std::string& why) {
  std::string server =
      dialect.Name() == kDialectPostgres ? "PostgreSQL" : std::string(dialect.Name());
  return "not checked: newer than the " + server + " " + std::to_string(dialect.GrammarVersion()) +
         " grammar; the server will check it (" + why +
         "). What it locks and does is unknown: review it by hand";
}

PreparedSql PrepareSql(const Dialect& dialect, std::string_view sql, const Directives& directives,
                       const std::string& file, Diagnostics& diagnostics, int target_version) {
  PreparedSql out;
  SplitResult split =
      NewerThanGrammar(dialect, target_version) ? dialect.SplitNewer(sql) : dialect.Split(sql);
  if (split.error_offset) {
    diagnostics.push_back({Severity::kError, "syntax", LocationOf(sql, file, *split.error_offset),
                           split.error_message});
    return out;
  }
  out.statements = std::move(split.statements);
  for (const Statement& s : out.statements) {
    if (s.unchecked.empty()) continue;
    diagnostics.push_back({Severity::kWarning, std::string(kUncheckedSyntax),
                           LocationOf(sql, file, s.offset),
                           UncheckedMessage(dialect, s.unchecked)});
  }
  CheckSizes(dialect, sql, file, out.statements, diagnostics);
  auto& st = out.statements;
  if (directives.no_transaction) return out;  // the file controls its own transactions
  if (st.size() >= 2 && st.front().kind == StatementKind::kBegin &&
      st.back().kind == StatementKind::kCommit) {
    st.erase(st.begin());
    st.pop_back();
    out.self_wrapped = true;
  }
  for (const Statement& s : st) {
    if (!s.outside_transaction.empty()) {
      diagnostics.push_back(
          {Severity::kError, "needs-no-transaction", LocationOf(sql, file, s.offset),
           s.outside_transaction +
               " cannot run inside a transaction block; add '-- migrate:no-transaction' at the "
               "top of the file (and keep such statements in a migration of their own)"});
      continue;
    }
    if (s.kind == StatementKind::kOther) continue;
    diagnostics.push_back(
        {Severity::kError, "transaction-control", LocationOf(sql, file, s.offset),
         "'" + Excerpt(sql.substr(s.offset, s.length), 40) +
             "' inside a migration that runs in a transaction; a file may only wrap itself in "
             "one leading BEGIN and one trailing COMMIT. Remove it, or add "
             "'-- migrate:no-transaction' at the top to manage transactions yourself"});
  }
  return out;
}

}  // namespace migrate
