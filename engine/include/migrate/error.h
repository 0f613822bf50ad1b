// migrate::Error is the one exception type the engine, the drivers and the CLI throw.
// Every error carries an ErrorCode, and every ErrorCode maps to one documented exit code
// (docs/guide.md, "Exit codes"). Diagnostics are the non-throwing counterpart: validation collects
// them in a list so that a user sees every problem of a migration set in one run.
#ifndef MIGRATE_ERROR_H_
#define MIGRATE_ERROR_H_

#include <stdexcept>
#include <string>
#include <vector>

namespace migrate {

enum class ErrorCode {
  kMigrationFailed,  // a migration's SQL failed; exit 1
  kIo,               // reading or writing a local file failed; exit 1
  kInternal,         // a bug; exit 1
  kUsage,            // bad command line; exit 2
  kConfig,           // bad config.toml or environment; exit 2
  kValidation,       // build found problems, or dist/ is stale; exit 3
  kDrift,            // the database and the bundle disagree; exit 4
  kLockTimeout,      // another runner holds the lock; exit 5
  kLockLost,         // our lease was taken over while we ran; exit 5
  kNeedsRepair,      // an interrupted non-transactional migration; exit 6
  kCorruptBundle,    // dist/migrations does not match its manifest; exit 7
  kConnection,       // cannot reach or open the database; exit 8
  kInterrupted,      // SIGINT/SIGTERM: stopped between migrations; exit 130
};

// The process exit code for `code`.
int ExitCodeFor(ErrorCode code);
// A short stable name for `code` ("drift", "lock_timeout"), used in JSON output.
const char* ErrorCodeName(ErrorCode code);

// Where in a source file something is; line and column are 1-based, 0 when unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  // "file:line:column", "file:line" or "file", whichever is known.
  std::string ToString() const;
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message, SourceLocation where = {},
        std::string sqlstate = {});

  ErrorCode code() const { return code_; }
  const SourceLocation& where() const { return where_; }
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  ErrorCode code_;
  SourceLocation where_;
  std::string sqlstate_;
};

enum class Severity { kError, kWarning };

// One finding of validation: what rule, where, and what to do about it.
struct Diagnostic {
  Severity severity = Severity::kError;
  std::string rule;  // stable id, e.g. "bad-name", "missing-down"
  SourceLocation where;
  std::string message;

  // "file:line:column: error[rule]: message"
  std::string ToString() const;
};

using Diagnostics = std::vector<Diagnostic>;

bool HasErrors(const Diagnostics& diagnostics);

}  // namespace migrate

#endif  // MIGRATE_ERROR_H_
