#include "migrate/apply.h"

#include "migrate/stopwatch.h"

namespace migrate {
namespace {

// Runs `body` in one transaction of `sink`: committed when it returns, rolled back when it
// throws.
template <typename Body>
void InTransaction(StepSink& sink, const Step& step, Body&& body) {
  sink.Begin();
  try {
    body();
    sink.Commit(step);
  } catch (...) {
    sink.Rollback();
    throw;
  }
}

}  // namespace

long long ApplyStep(StepSink& sink, const Step& step, const LockRequest& lease) {
  auto t0 = std::chrono::steady_clock::now();
  long long ms = 0;
  if (step.transactional) {
    InTransaction(sink, step, [&] {
      sink.SetLocalTimeouts(step);
      for (std::size_t i = 0; i < step.statements.size(); ++i) sink.Run(step, i);
      ms = MillisSince(t0);
      sink.RecordDone(step, lease, ms);
    });
    return ms;
  }
  InTransaction(sink, step, [&] { sink.RecordStarted(step, lease); });
  sink.BeginStatements(step);
  for (std::size_t i = static_cast<std::size_t>(step.resume_from); i < step.statements.size();
       ++i) {
    sink.Run(step, i);
    sink.RecordProgress(step, static_cast<int>(i + 1));
  }
  sink.EndStatements(step);
  ms = MillisSince(t0);
  InTransaction(sink, step, [&] { sink.RecordDone(step, lease, ms); });
  return ms;
}

}  // namespace migrate
