// `migrate plan`: what `run` would do now, for a DBA to review (text) or to apply by hand
// (a psql script).
#include <iomanip>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "migrate/bundle.h"
#include "migrate/duration.h"
#include "migrate/lint.h"
#include "migrate/lock.h"
#include "migrate/redact.h"
#include "migrate/source_text.h"
#include "migrate/sql_text.h"

namespace migrate::cli {
namespace {

std::string Timeout(const std::optional<std::chrono::milliseconds>& d) {
  return d ? FormatDuration(*d) : "none";
}

void PrintStep(std::ostream& out, const Context& ctx, const Step& step, const Dialect& dialect) {
  out << "\n"
      << step.version << "  " << step.slug << "  (" << step.file << ")\n"
      << "  " << (step.transactional ? "one transaction" : "no transaction: statement by statement")
      << " · lock_timeout " << Timeout(step.lock_timeout) << " · statement_timeout "
      << Timeout(step.statement_timeout) << "\n";
  // What each statement locks, by its offset in the file.
  std::map<std::size_t, StatementInfo> locks;
  for (StatementInfo& info : dialect.Analyze(step.sql)) locks[info.offset] = std::move(info);
  for (std::size_t i = 0; i < step.statements.size(); ++i) {
    const Statement& st = step.statements[i];
    LineColumn lc = LineColumnAt(step.sql, st.offset);
    std::string lock = "?";
    if (auto it = locks.find(st.offset); it != locks.end()) {
      lock = it->second.lock.empty()
                 ? "no table lock"
                 : it->second.lock + (it->second.table.empty() ? "" : " on " + it->second.table);
    }
    out << "  " << std::setw(3) << i + 1 << ". line " << std::left << std::setw(4) << lc.line
        << std::right << " " << std::left << std::setw(34) << lock << std::right << " "
        << Excerpt(step.StatementText(i), 70) << "\n";
  }
  if (step.statements.empty()) out << "  (no statements: recorded as applied)\n";
  if (!LintApplies(dialect)) return;
  for (const Diagnostic& d : LintStep(dialect, step, MakeLintSettings(ctx.config()))) {
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
  std::ostream& out = ctx.out();
  out << "Plan for " << RedactUrl(ctx.DatabaseUrl()) << ": " << steps.size()
      << " pending migration(s)\n";
  for (const Step& step : steps) PrintStep(out, ctx, step, driver->GetDialect());
}

}  // namespace

void RegisterPlanCommand(CLI::App& app, const GlobalOptions& globals, Action& action) {
  auto* plan = app.add_subcommand("plan", "Show what run would do: statements, locks, lint");
  auto format = std::make_shared<std::string>("text");
  auto to = std::make_shared<std::string>();
  plan->add_option("--format", *format, "text (for review) or sql (a psql script)")
      ->check(CLI::IsMember({"text", "sql"}));
  plan->add_option("--to", *to, "Plan up to and including this version");
  plan->callback([&globals, &action, format, to] {
    action = [&globals, format, to] { Plan(Context(globals), *format, *to); };
  });
}

}  // namespace migrate::cli
