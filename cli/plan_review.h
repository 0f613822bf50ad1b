// What `migrate plan` shows of the pending migrations, gathered once for every format that
// reviews them (the text plan, the HTML page): per statement its line and the table lock it
// takes (Dialect::Analyze), per migration its transaction mode, timeouts with where they come
// from, checksum and lint findings (LintStep), and over the whole plan the findings by
// severity and the strongest lock with its tables. The formats only lay this out; no format
// decides anything.
#ifndef MIGRATE_CLI_PLAN_REVIEW_H_
#define MIGRATE_CLI_PLAN_REVIEW_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "context.h"
#include "migrate/apply.h"
#include "migrate/dialect.h"
#include "migrate/error.h"

namespace migrate::cli {

struct ReviewedStatement {
  int line = 1;           // of its first token, in the file
  bool analysed = false;  // Analyze said what it does
  std::string lock;       // "ACCESS EXCLUSIVE", "database write lock", "unknown"; "": none
  std::string table;      // the table it locks, "" when none or not known

  // "ACCESS EXCLUSIVE on public.orders", "no table lock", or "?" when not analysed.
  std::string LockText() const;
};

struct ReviewedTimeout {
  std::optional<std::chrono::milliseconds> value;
  std::string source;  // "directive", "environment", or "" when none is set

  // "5s (directive)", or "none".
  std::string Text() const;
};

struct ReviewedStep {
  Step step;
  std::vector<ReviewedStatement> statements;  // one per step.statements, in order
  ReviewedTimeout lock_timeout;
  ReviewedTimeout statement_timeout;
  Diagnostics findings;  // lint's, in file order; empty where lint does not apply
};

struct PlanReview {
  std::string database;  // the URL with its password redacted
  std::string dialect;   // "sqlite" or "postgres"
  std::vector<ReviewedStep> steps;
  int errors = 0;    // lint findings of severity error, over every step
  int warnings = 0;  // ... and warning
  // The strongest lock any statement takes (Dialect::LockStrength), "" when none, and the
  // tables it is taken on (sorted, without duplicates; none for a database-wide lock).
  std::string strongest_lock;
  std::vector<std::string> strongest_tables;
  int unknown_locks = 0;  // statements whose lock the dialect cannot tell
};

// Reviews `steps` (the pending up steps of the database at `database_url`) with `dialect`
// and the project's lint settings.
PlanReview ReviewPlan(const Context& ctx, const Dialect& dialect, const std::string& database_url,
                      std::vector<Step> steps);

// The HTML page of a review: one self-contained document (inline CSS, no script, nothing
// fetched), every file name and every byte of SQL escaped, the same input always giving the
// same bytes.
std::string RenderPlanHtml(const PlanReview& review, const Dialect& dialect);

}  // namespace migrate::cli

#endif  // MIGRATE_CLI_PLAN_REVIEW_H_
