// What each statement of a PostgreSQL migration does, read from libpg_query's parse tree
// (the real PostgreSQL 15 grammar): which table it touches, the table lock it takes, and the
// facts the lint rules need. No server is involved.
#ifndef MIGRATE_PG_ANALYSIS_H_
#define MIGRATE_PG_ANALYSIS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace migrate {

struct PgStatementInfo {
  std::size_t offset = 0;  // byte offset of the statement in the file
  std::string kind;        // "CREATE TABLE", "ALTER TABLE", "CREATE INDEX CONCURRENTLY", ...
  std::string table;       // the table it locks, "" when none
  std::string lock;        // "ACCESS EXCLUSIVE", "SHARE", ...; "" when it locks no table
  bool creates_table = false;
  bool sets_lock_timeout = false;
  // Lint facts, one per risky thing the statement does: {rule id, what, byte offset}.
  struct Fact {
    std::string rule;
    std::string what;
  };
  std::vector<Fact> facts;
};

// Analyses every statement of `sql`. Returns an empty list when `sql` does not parse (the
// build reports the syntax error separately).
std::vector<PgStatementInfo> AnalyzePostgres(std::string_view sql);

}  // namespace migrate

#endif  // MIGRATE_PG_ANALYSIS_H_
