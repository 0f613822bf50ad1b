// Per-file options written as SQL comments at the top of a migration (docs/design.md §2):
//   -- migrate:no-transaction          run statement by statement, outside a transaction
//   -- migrate:irreversible            an up with no down; `down` refuses to pass it
//   -- migrate:lock-timeout 5s         PostgreSQL lock_timeout for this migration
//   -- migrate:statement-timeout 10min PostgreSQL statement_timeout for this migration
//   -- migrate:allow <lint-rule>       silence one lint rule for this file
// Directives must come before the first statement; an unknown directive is an error.
#ifndef MIGRATE_DIRECTIVES_H_
#define MIGRATE_DIRECTIVES_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migrate/error.h"

namespace migrate {

struct Directives {
  bool no_transaction = false;
  bool irreversible = false;
  std::optional<std::chrono::milliseconds> lock_timeout;
  std::optional<std::chrono::milliseconds> statement_timeout;
  std::vector<std::string> allow;
};

// Reads the directives of one file. Problems go to `diagnostics`, located in `file`.
Directives ParseDirectives(std::string_view sql, const std::string& file, Diagnostics& diagnostics);

}  // namespace migrate

#endif  // MIGRATE_DIRECTIVES_H_
