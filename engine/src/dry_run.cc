// `run --dry-run` and `down --dry-run`: the pending steps really run on the target, through
// a Rehearsal (driver.h) that leaves nothing behind (docs/design.md §13).
#include "run_support.h"

namespace migrate {

namespace {

// `e`, which stopped a dry run after `done` rehearsed steps, saying that nothing changed.
Error DryRunError(const Error& e, std::size_t done) {
  std::string what = e.what();
  if (e.code() == ErrorCode::kInterrupted) what = what.substr(0, what.find(" with "));
  return Error(e.code(),
               what + "\n(dry run: " + std::to_string(done) +
                   " migration(s) before it rehearsed; all undone, nothing changed)",
               e.where(), e.sqlstate());
}

}  // namespace

RunResult RehearsePlan(Driver& driver, const Bundle& bundle, const Plan& plan,
                       const RunOptions& options, RunObserver& observer) {
  std::vector<std::string> kept = CheckFiles(bundle, plan);
  RunResult result;
  if (plan.steps.empty()) return result;
  std::unique_ptr<Rehearsal> rehearsal = driver.BeginRehearsal();
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    Step step;
    try {
      StopIfAsked(options, plan.steps[i], result.steps.size());
      step = StepOf(bundle, driver, plan.steps[i], options, kept.empty() ? nullptr : &kept[i]);
    } catch (const Error& e) {
      throw DryRunError(e, result.steps.size());
    }
    Rehearsed done{0, rehearsal->WhyNotRehearsable(step)};
    if (done.not_rehearsed.empty()) {
      observer.OnStepStart(step);
      try {
        done = rehearsal->Rehearse(step);
      } catch (const Error& e) {
        Error failed = DryRunError(e, result.steps.size());
        observer.OnStepFailed(step, failed);
        throw failed;
      }
    }
    if (!done.not_rehearsed.empty()) {
      result.not_rehearsed = StepSummary{step.version, step.slug, step.direction, 0};
      result.not_rehearsed_why = done.not_rehearsed;
      result.not_reached = plan.steps.size() - i - 1;
      break;
    }
    observer.OnStepDone(step, done.ms);
    result.steps.push_back({step.version, step.slug, step.direction, done.ms});
  }
  return result;
}

}  // namespace migrate
