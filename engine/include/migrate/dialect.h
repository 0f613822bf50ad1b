// A Dialect is what the engine knows of one database's SQL, without a connection: it splits a
// migration file into statements the way that database will see them, fingerprints a file,
// and says what each statement does (the table lock it takes, the risky things lint judges).
// The engine uses it at build time (statement counts, transaction-control checks, lint) and at
// run time (so that an error names the failing statement's line). Implementations live with
// their driver (drivers/<db>/<db>_dialect.cc) and wrap the database's own tokenizer (SQLite's
// sqlite3_complete, PostgreSQL's libpg_query), so the engine never guesses where a statement
// ends. Thread-safe: no method has shared state.
#ifndef MIGRATE_DIALECT_H_
#define MIGRATE_DIALECT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migrate/directives.h"
#include "migrate/error.h"

namespace migrate {

// What a statement does to transactions; everything else is kOther.
enum class StatementKind { kOther, kBegin, kCommit, kRollback, kPrepareTransaction };

struct Statement {
  std::size_t offset = 0;  // byte offset of the statement's first token in the file
  std::size_t length = 0;  // bytes, up to and including its terminating ';' if any
  StatementKind kind = StatementKind::kOther;
  // What the statement is when the database refuses to run it inside a transaction block
  // ("CREATE INDEX CONCURRENTLY"); empty when it can run in one.
  std::string outside_transaction;
};

struct SplitResult {
  std::vector<Statement> statements;  // no empty or comment-only statements
  // Set when the text cannot be split (an unterminated string or comment, a syntax error):
  // the byte offset where the problem is and the tokenizer's message.
  std::optional<std::size_t> error_offset;
  std::string error_message;
};

// What one statement does, as far as review (plan) and lint need to know.
struct StatementInfo {
  std::size_t offset = 0;  // byte offset of the statement's first token in the file
  std::string kind;        // "CREATE TABLE", "ALTER TABLE", "CREATE INDEX CONCURRENTLY", ...
  std::string table;       // the table it locks, "" when none
  std::string lock;        // "ACCESS EXCLUSIVE", "database write lock", ...; "" when none
  bool creates_table = false;
  bool sets_lock_timeout = false;
  // One per risky thing the statement does: the lint rule that judges it, and what it does
  // ("DROP COLUMN email"). Whether it is reported, and how loudly, is lint's decision.
  struct Fact {
    std::string rule;
    std::string what;
  };
  std::vector<Fact> facts;
};

class Dialect {
 public:
  virtual ~Dialect() = default;
  // "sqlite" or "postgres".
  virtual std::string_view Name() const = 0;
  // Splits `sql` into statements. Never throws for bad SQL: reports it in the result.
  virtual SplitResult Split(std::string_view sql) const = 0;

  // A hash of what the SQL says, not how it is laid out: whitespace, comments and keyword
  // case do not change it; any token or constant value does (docs/design.md §2). Lowercase
  // hex.
  virtual std::string Fingerprint(std::string_view sql) const = 0;

  // What each statement of `sql` does, in order. Empty when `sql` does not split (the build
  // reports that separately).
  virtual std::vector<StatementInfo> Analyze(std::string_view sql) const = 0;
};

// Classifies a statement from its first keywords: BEGIN / START TRANSACTION, COMMIT / END,
// ROLLBACK (not ROLLBACK TO). Shared by every dialect.
StatementKind ClassifyStatement(std::string_view statement);

// The statements of one file as the engine will run them, after the file's own leading
// BEGIN and trailing COMMIT (if it wraps itself, docs/design.md §4) are dropped.
struct PreparedSql {
  std::vector<Statement> statements;
  bool self_wrapped = false;  // the file had its own BEGIN ... COMMIT
};

// Splits `sql` with `dialect` and applies the transaction-control rules of docs/design.md §4.
// Problems (split errors, transaction control or a statement that cannot run in a
// transaction, in a file without `-- migrate:no-transaction`) are appended to
// `diagnostics` with `file` and the line:column of the statement.
PreparedSql PrepareSql(const Dialect& dialect, std::string_view sql, const Directives& directives,
                       const std::string& file, Diagnostics& diagnostics);

}  // namespace migrate

#endif  // MIGRATE_DIALECT_H_
