// What each statement of a PostgreSQL migration does, read from libpg_query's parse tree
// (the real PostgreSQL 15 grammar): which table it touches, the table lock it takes, and the
// facts the lint rules judge. No server is involved. The PostgreSQL dialect's Analyze.
#ifndef MIGRATE_DRIVERS_POSTGRES_POSTGRES_ANALYSIS_H_
#define MIGRATE_DRIVERS_POSTGRES_POSTGRES_ANALYSIS_H_

#include <optional>
#include <string_view>
#include <vector>

#include "migrate/dialect.h"

namespace migrate::postgres {

// Analyses every statement of `sql`; nullopt when `sql` does not parse (the dialect then
// analyses what it can statement by statement, docs/design.md §2).
std::optional<std::vector<StatementInfo>> AnalyzePostgres(std::string_view sql);

// The strength of a table lock mode, ACCESS SHARE (0) to ACCESS EXCLUSIVE (7); -1 for
// anything else ("", "unknown").
int LockRank(std::string_view lock);

}  // namespace migrate::postgres

#endif  // MIGRATE_DRIVERS_POSTGRES_POSTGRES_ANALYSIS_H_
