// Lint rules for PostgreSQL migrations, over what the dialect says each statement does
// (Dialect::Analyze, from the parse tree): the changes that lock or break a busy production
// database. Each finding has a rule id, a severity, file:line:column and a one-line fix. A
// file silences a rule with `-- migrate:allow <rule>`; `[lint]` in config.toml sets a rule to
// "error", "warning" or "off"; `build --strict` fails on warnings. The rules are judgements
// (policy), so they live here; the facts they judge come from the dialect.
#ifndef MIGRATE_LINT_H_
#define MIGRATE_LINT_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migrate/apply.h"
#include "migrate/dialect.h"
#include "migrate/directives.h"
#include "migrate/error.h"
#include "migrate/migration_set.h"

namespace migrate {

struct LintRule {
  std::string_view id;
  Severity severity;
  std::string_view why;  // what goes wrong in production
  std::string_view fix;  // one line: what to write instead
};

// Every rule, in a stable order.
const std::vector<LintRule>& LintRules();
const LintRule* FindLintRule(std::string_view id);

struct LintSettings {
  // Per-rule override of the default severity; nullopt turns the rule off.
  std::map<std::string, std::optional<Severity>> severity;
  // Every environment sets lock_timeout, so files need not.
  bool lock_timeout_everywhere = false;
  // The PostgreSQL major version the files are for (postgres_version). Above the dialect's
  // grammar, a statement it rejects is not linted and plan's lint says its effect is unknown;
  // otherwise a file the grammar rejects is not linted (the build reports its syntax error).
  int postgres_version = kDefaultPostgresVersion;
};

// Whether the rules apply to files of `dialect`: they are PostgreSQL's.
bool LintApplies(const Dialect& dialect);

// Lints one up file (downs undo, and are expected to drop things) analysed by `dialect`:
// `path` for locations, its normalized `text` and its `directives`.
Diagnostics LintFile(const Dialect& dialect, const std::string& path, std::string_view text,
                     const Directives& directives, const LintSettings& settings);

// Lints the up file for `dialect` of every migration in `set`.
Diagnostics LintSet(const MigrationSet& set, const Dialect& dialect, const LintSettings& settings);

// Lints the file of a pending up step, as `migrate plan` shows it; a statement the grammar
// rejected in a file for a newer server is a warning ("unchecked-syntax": what it does is
// unknown).
Diagnostics LintStep(const Dialect& dialect, const Step& step, const LintSettings& settings);

}  // namespace migrate

#endif  // MIGRATE_LINT_H_
