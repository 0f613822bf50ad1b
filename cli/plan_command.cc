// `migrate plan`: what `run` would do now, for a DBA to review (text, or an HTML page) or to
// apply by hand (a psql script).
#include <iomanip>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "migrate/bundle.h"
#include "migrate/lock.h"
#include "migrate/sql_text.h"
#include "plan_review.h"

namespace migrate::cli {
namespace {

void PrintStep(std::ostream& out, const ReviewedStep& reviewed) {
  const Step& step = reviewed.step;
  out << "\n"
      << step.version << "  " << step.slug << "  (" << step.file << ")\n"
      << "  " << (step.transactional ? "one transaction" : "no transaction: statement by statement")
      << " · lock_timeout " << reviewed.lock_timeout.Text() << " · statement_timeout "
      << reviewed.statement_timeout.Text() << "\n";
  for (std::size_t i = 0; i < reviewed.statements.size(); ++i) {
    const ReviewedStatement& st = reviewed.statements[i];
    out << "  " << std::setw(3) << i + 1 << ". line " << std::left << std::setw(4) << st.line
        << std::right << " " << std::left << std::setw(34) << st.LockText() << std::right << " "
        << Excerpt(step.StatementText(i), 70) << "\n";
  }
  if (step.statements.empty()) out << "  (no statements: recorded as applied)\n";
  for (const Diagnostic& d : reviewed.findings) {
    out << "  " << (d.severity == Severity::kError ? "error" : "warning") << "[" << d.rule
        << "] line " << d.where.line << ": " << d.message << "\n";
  }
}

void Plan(const Context& ctx, const std::string& format, const std::string& to) {
  Bundle bundle = Bundle::Open(ctx.DistPath(), Bundle::Verify::kListing);
  auto driver = ctx.OpenDatabase(CreateFile::kNo);
  RunOptions options = ctx.MakeRunOptions();
  if (!to.empty()) options.to = to;
  std::vector<Step> steps = PreviewUp(*driver, bundle, options);
  if (format == "sql") {
    std::cout << driver->RenderScript(steps, MakeLockRequest(options.lease));
    return;
  }
  const Dialect& dialect = driver->GetDialect();
  PlanReview review = ReviewPlan(ctx, dialect, ctx.DatabaseUrl(), std::move(steps));
  if (format == "html") {
    std::cout << RenderPlanHtml(review, dialect);
    return;
  }
  std::ostream& out = ctx.out();
  out << "Plan for " << review.database << ": " << review.steps.size() << " pending migration(s)\n";
  for (const ReviewedStep& step : review.steps) PrintStep(out, step);
}

}  // namespace

void RegisterPlanCommand(CLI::App& app, const GlobalOptions& globals, Action& action) {
  auto* plan = app.add_subcommand("plan", "Show what run would do: statements, locks, lint");
  auto format = std::make_shared<std::string>("text");
  auto to = std::make_shared<std::string>();
  plan->add_option("--format", *format,
                   "text (for review), html (a review page) or sql (a psql script)")
      ->check(CLI::IsMember({"text", "html", "sql"}));
  plan->add_option("--to", *to, "Plan up to and including this version");
  plan->callback([&globals, &action, format, to] {
    action = [&globals, format, to] { Plan(Context(globals), *format, *to); };
  });
}

}  // namespace migrate::cli
