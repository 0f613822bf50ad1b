// A Dialect is what the engine knows of one database's SQL, without a connection: it splits a
// migration file into statements the way that database will see them, fingerprints a file,
// and says what each statement does (the table lock it takes, the risky things lint judges).
// The engine uses it at build time (statement counts, transaction-control checks, lint) and at
// run time (so that an error names the failing statement's line). Implementations live with
// their driver (drivers/<db>/<db>_dialect.cc) and wrap the database's own tokenizer (SQLite's
// sqlite3_complete, PostgreSQL's libpg_query), so the engine never guesses where a statement
// ends. Thread-safe: no method has shared state.
//
// A project may target a newer server than the grammar a dialect has (PostgreSQL: the
// `postgres_version` key, docs/design.md §2). Then a statement that grammar rejects is not an
// error: SplitNewer cuts it out with the tokenizer alone and marks it `unchecked`, Analyze
// says its lock and facts are `unknown` (never "nothing"), and PrepareSql reports it as a
// warning; the server checks it when it runs.
#ifndef MIGRATE_DIALECT_H_
#define MIGRATE_DIALECT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migrate/directives.h"
#include "migrate/error.h"
#include "migrate/sql_text.h"

namespace migrate {

// The PostgreSQL major version a project targets when `postgres_version` is not set: the
// grammar the build has (libpg_query's), so by default every statement is checked.
inline constexpr int kDefaultPostgresVersion = 15;

// The rule of the warning for a statement newer than the grammar (PrepareSql, LintStep).
inline constexpr std::string_view kUncheckedSyntax = "unchecked-syntax";

// The rule of the error for a statement larger than Dialect::MaxStatementBytes (PrepareSql).
inline constexpr std::string_view kStatementTooLarge = "statement-too-large";

// What a statement does to transactions; everything else is kOther.
enum class StatementKind { kOther, kBegin, kCommit, kRollback, kPrepareTransaction };

struct Statement {
  std::size_t offset = 0;  // byte offset of the statement's first token in the file
  std::size_t length = 0;  // bytes, up to and including its terminating ';' if any
  StatementKind kind = StatementKind::kOther;
  // What the statement is when the database refuses to run it inside a transaction block
  // ("CREATE INDEX CONCURRENTLY"); empty when it can run in one.
  std::string outside_transaction;
  // SplitNewer only: why the dialect's grammar rejected the statement (the parser's message);
  // empty when the grammar accepted it.
  std::string unchecked;
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
  // The grammar rejected the statement (written for a newer server): what it locks and does is
  // not known. `lock` is then "unknown" and `facts` is empty; it is never taken as safe.
  bool unknown = false;
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
  // Splits `sql` into statements. Never throws for bad SQL, nor for text that is not UTF-8:
  // reports it in the result. `sql` holds no NUL byte (the loader refuses such a file).
  virtual SplitResult Split(std::string_view sql) const = 0;

  // The major version of the server whose grammar Split checks statements against
  // (PostgreSQL: libpg_query's, 15); 0 when Split only finds where statements end (SQLite).
  virtual int GrammarVersion() const { return 0; }

  // Like Split, for a file written for a server newer than GrammarVersion(): a statement the
  // grammar rejects is cut out by the tokenizer alone and marked `unchecked` instead of
  // failing the file. Text the tokenizer cannot read (an unterminated string) still fails.
  virtual SplitResult SplitNewer(std::string_view sql) const { return Split(sql); }

  // The largest statement, in bytes, the database can run without needing memory out of
  // proportion to it (SQLite compiles a statement into a program about 60 times its size);
  // 0 when there is no such limit. A larger statement is an error at build (PrepareSql).
  virtual std::size_t MaxStatementBytes() const { return 0; }

  // A hash of what the SQL says, not how it is laid out: whitespace, comments and keyword
  // case do not change it; any token or constant value does (docs/design.md §2). Lowercase
  // hex.
  virtual std::string Fingerprint(std::string_view sql) const = 0;

  // What each statement of `sql` does, in order. A statement the grammar rejects is
  // `unknown`; empty when `sql` does not split at all (the build reports that separately).
  virtual std::vector<StatementInfo> Analyze(std::string_view sql) const = 0;

  // The keywords, strings and comments of `sql` as this database's tokenizer reads them, in
  // order, for highlighting (plan --format html); other tokens are not listed. Empty when
  // the text cannot be tokenized (an unterminated string), or when the dialect would need
  // memory out of proportion to it (a large PostgreSQL file): it is then shown plain.
  virtual std::vector<SqlToken> Tokens(std::string_view sql) const = 0;

  // How strong a table lock `lock` (as Analyze says it) is, to find the strongest of a plan:
  // higher is stronger; -1 for none and for "unknown".
  virtual int LockStrength(std::string_view lock) const = 0;

  // Whether `word`, a plain lower-case identifier, must still be written in double quotes as a
  // name because the grammar reserves it (PostgreSQL's quote_ident rule: any keyword but the
  // unreserved ones; SQLite: any keyword). For SQL that migrate writes (schema_sql.h).
  virtual bool IsReservedWord(std::string_view word) const = 0;
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

// Whether files for a server of major version `target_version` are newer than what
// `dialect`'s grammar checks, so that a statement it rejects is a warning, not an error.
bool NewerThanGrammar(const Dialect& dialect, int target_version);

// The warning for a statement `dialect`'s grammar rejected in a file for a newer server;
// `why` is the parser's message.
std::string UncheckedMessage(const Dialect& dialect, const std::string& why);

// Splits `sql` with `dialect` and applies the transaction-control rules of docs/design.md §4.
// Problems (split errors, transaction control or a statement that cannot run in a
// transaction, in a file without `-- migrate:no-transaction`) are appended to
// `diagnostics` with `file` and the line:column of the statement. `target_version` is the
// server version the file is for (0: the dialect's own grammar); when NewerThanGrammar, the
// file is split with SplitNewer and each unchecked statement is a warning ("unchecked-syntax").
PreparedSql PrepareSql(const Dialect& dialect, std::string_view sql, const Directives& directives,
                       const std::string& file, Diagnostics& diagnostics, int target_version = 0);

}  // namespace migrate

#endif  // MIGRATE_DIALECT_H_
