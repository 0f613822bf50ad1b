#include "plan_review.h"

#include <algorithm>
#include <map>
#include <set>

#include "migrate/directives.h"
#include "migrate/duration.h"
#include "migrate/lint.h"
#include "migrate/redact.h"
#include "migrate/source_text.h"

namespace migrate::cli {
namespace {

using Millis = std::optional<std::chrono::milliseconds>;

// A step's timeout comes from its file's directive, else from the environment (the planner
// chose; this only says which).
ReviewedTimeout TimeoutOf(const Millis& effective, const Millis& directive) {
  if (!effective) return {};
  return {effective, directive ? "directive" : "environment"};
}

ReviewedStep ReviewStep(const Context& ctx, const Dialect& dialect, Step step) {
  ReviewedStep out;
  std::map<std::size_t, StatementInfo> infos;  // what each statement does, by its offset
  for (StatementInfo& info : dialect.Analyze(step.sql)) infos[info.offset] = std::move(info);
  for (const Statement& st : step.statements) {
    ReviewedStatement r;
    r.line = LineColumnAt(step.sql, st.offset).line;
    if (auto it = infos.find(st.offset); it != infos.end()) {
      r.analysed = true;
      r.lock = it->second.lock;
      r.table = it->second.table;
    }
    out.statements.push_back(std::move(r));
  }
  Diagnostics ignored;  // the build reported the file's directives already
  Directives directives = ParseDirectives(step.sql, step.file, ignored);
  out.lock_timeout = TimeoutOf(step.lock_timeout, directives.lock_timeout);
  out.statement_timeout = TimeoutOf(step.statement_timeout, directives.statement_timeout);
  if (LintApplies(dialect)) out.findings = LintStep(dialect, step, MakeLintSettings(ctx.config()));
  out.step = std::move(step);
  return out;
}

// Adds the findings and locks of `step` to the plan's summary.
void Summarize(const Dialect& dialect, const ReviewedStep& step, PlanReview& review,
               std::set<std::string>& tables) {
  for (const Diagnostic& d : step.findings)
    ++(d.severity == Severity::kError ? review.errors : review.warnings);
  for (const ReviewedStatement& st : step.statements) {
    if (st.lock == "unknown") ++review.unknown_locks;
    int strength = dialect.LockStrength(st.lock);
    if (strength < 0) continue;
    int strongest =
        review.strongest_lock.empty() ? -1 : dialect.LockStrength(review.strongest_lock);
    if (strength > strongest) {
      review.strongest_lock = st.lock;
      tables.clear();
    }
    if (strength >= strongest && !st.table.empty()) tables.insert(st.table);
  }
}

}  // namespace

std::string ReviewedStatement::LockText() const {
  if (!analysed) return "?";
  if (lock.empty()) return "no table lock";
  return table.empty() ? lock : lock + " on " + table;
}

std::string ReviewedTimeout::Text() const {
  return value ? FormatDuration(*value) + " (" + source + ")" : "none";
}

PlanReview ReviewPlan(const Context& ctx, const Dialect& dialect, const std::string& database_url,
                      std::vector<Step> steps) {
  PlanReview review;
  review.database = RedactUrl(database_url);
  review.dialect = std::string(dialect.Name());
  std::set<std::string> tables;
  for (Step& step : steps) {
    review.steps.push_back(ReviewStep(ctx, dialect, std::move(step)));
    Summarize(dialect, review.steps.back(), review, tables);
  }
  review.strongest_tables.assign(tables.begin(), tables.end());
  return review;
}

}  // namespace migrate::cli
