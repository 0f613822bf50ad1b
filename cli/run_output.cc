#include "run_output.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "migrate/catalog_diff.h"
#include "migrate/redact.h"
#include "progress_text.h"
#include "style.h"

namespace migrate::cli {
namespace {

using json = nlohmann::ordered_json;

json SummaryJson(const StepSummary& s) {
  return {{"version", s.version},
          {"slug", s.slug},
          {"direction", DirectionName(s.direction)},
          {"duration_ms", s.duration_ms}};
}

void PrintJson(const RunOutcome& o) {
  json steps = json::array();
  for (const StepSummary& s : o.result.steps) steps.push_back(SummaryJson(s));
  json j{{"event", "summary"},
         {"ok", true},
         {"dry_run", o.dry == DryRun::kYes},
         {"direction", DirectionName(o.direction)},
         {"steps", steps},
         {"duration_ms", o.ms}};
  if (o.dry == DryRun::kYes) {
    j["rehearsed_on"] = o.dialect == "postgres" ? "a transaction, rolled back"
                        : o.empty_database      ? "an empty database in memory"
                                                : "a copy, deleted";
    json not_rehearsed;
    if (const auto& s = o.result.not_rehearsed) {
      not_rehearsed = {{"version", s->version},
                       {"slug", s->slug},
                       {"direction", DirectionName(s->direction)},
                       {"why", o.result.not_rehearsed_why}};
    }
    j["not_rehearsed"] = not_rehearsed;
    j["not_reached"] = o.result.not_reached;
  }
  std::cout << EventLine(j);
}

// The closing lines of a dry run: what ran where, what could not, and why nothing changed.
void PrintDryRun(const Context& ctx, const RunOutcome& o) {
  std::ostream& out = ctx.out();
  const RunResult& r = o.result;
  if (r.not_rehearsed) {
    const StepSummary& s = *r.not_rehearsed;
    out << "  " << Paint(out, Tone::kWarning, "not rehearsed ") << s.version << "  " << s.slug
        << ": " << r.not_rehearsed_why << "; nothing of it remains.\n";
    out << "Stopped there: " << (r.not_reached ? std::to_string(r.not_reached) : "no")
        << " later migration(s) not rehearsed (they may depend on it).\n";
  }
  if (r.steps.empty() && !r.not_rehearsed) {
    out << "Dry run: nothing to rehearse, "
        << (o.direction == Direction::kUp ? "the database is up to date" : "nothing to revert")
        << " (" << o.ms << " ms).\n";
    return;
  }
  out << "Dry run: " << r.steps.size() << " migration(s) "
      << (o.direction == Direction::kUp ? "applied" : "reverted") << " in " << o.ms << " ms ";
  if (o.dialect == "postgres") {
    out << "inside one transaction, then rolled back: nothing changed, migrate's tables "
           "included. DDL locks were held on what they touched until the rollback.\n";
  } else if (o.empty_database) {
    out << "on an empty database in memory: the database file does not exist yet, and was not "
           "created.\n";
  } else {
    out << "on a copy of the database made with SQLite's backup API, then deleted: the "
           "database is unchanged.\n";
  }
}

}  // namespace

void LineObserver::OnLockWait(const LockHolder& h) {
  if (!ctx_.options().json) {
    ctx_.out() << "Waiting for the migration lock held by " << h.holder << " since "
               << h.acquired_at << "...\n"
               << std::flush;
  }
}

void LineObserver::OnStepDone(const Step& step, long long ms) {
  if (ctx_.options().json) return;
  std::ostream& out = ctx_.out();
  const char* word = dry_ == DryRun::kYes               ? "rehearsed "
                     : step.direction == Direction::kUp ? "applied  "
                                                        : "reverted ";
  out << "  " << Paint(out, Tone::kGood, word) << step.version << "  " << step.slug << "  ("
      << (ms == 0 ? "<1" : std::to_string(ms)) << " ms)\n"
      << std::flush;
}

void LineObserver::OnSchemaDrift(const DriftReport& report) {
  std::cerr << "migrate: " << Paint(std::cerr, Tone::kWarning, "warning:")
            << " the live schema is not the one recorded after the last " << report.snapshot->event
            << " (schema_drift = \"warn\", going on):\n"
            << RenderDiff(report.changes);
}

void LineObserver::OnWarning(const std::string& message) {
  std::cerr << "migrate: " << Paint(std::cerr, Tone::kWarning, "warning:") << " " << message
            << "\n";
}

void LineObserver::OnNotice(const Finding& f) {
  std::cerr << "migrate: " << Paint(std::cerr, Tone::kWarning, "note:") << " " << f.message << "\n";
}

void ReportRun(const Context& ctx, const RunOutcome& o) {
  if (ctx.options().json) return PrintJson(o);
  if (o.dry == DryRun::kYes) return PrintDryRun(ctx, o);
  if (o.result.steps.empty()) {
    ctx.out() << "Nothing to do: the database is up to date (" << o.ms << " ms).\n";
  } else {
    ctx.out() << (o.direction == Direction::kUp ? "Applied " : "Reverted ") << o.result.steps.size()
              << " migration(s) in " << o.ms << " ms.\n";
  }
}

void ReportRunFailure(const Error& error) {
  std::cerr << Paint(std::cerr, Tone::kError, "migrate:") << " " << Redact(error.what()) << "\n";
  std::cout << EventLine({{"event", "summary"}, {"ok", false}, {"error", ErrorEvent(error)}});
}

}  // namespace migrate::cli
