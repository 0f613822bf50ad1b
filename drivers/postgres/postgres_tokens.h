// The keywords, strings and comments of PostgreSQL text as PostgreSQL's own scanner reads
// them (libpg_query's pg_query_scan): nested comments, dollar quotes, E'' and U&'' strings,
// and which words are keywords of the PostgreSQL 15 grammar. For highlighting (the
// dialect's Tokens); no parse, no server.
#ifndef MIGRATE_DRIVERS_POSTGRES_POSTGRES_TOKENS_H_
#define MIGRATE_DRIVERS_POSTGRES_POSTGRES_TOKENS_H_

#include <string_view>
#include <vector>

#include "migrate/sql_text.h"

namespace migrate::postgres {

// The tokens of `sql` worth highlighting, in order; empty when the scanner cannot read it
// (an unterminated string or comment).
std::vector<SqlToken> ScanTokens(std::string_view sql);

// Whether `word` is a keyword of the grammar other than an unreserved one: a name that
// quote_ident would put in double quotes.
bool ReservedKeyword(std::string_view word);

}  // namespace migrate::postgres

#endif  // MIGRATE_DRIVERS_POSTGRES_POSTGRES_TOKENS_H_
