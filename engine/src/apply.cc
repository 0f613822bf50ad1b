#include "migrate/apply.h"

#include "migrate/fault.h"
#include "migrate/source_text.h"
#include "migrate/stopwatch.h"
#include "migrate/transaction.h"

namespace migrate {
namespace {

// A transactional step's transaction: its BEGIN checks the lease (StepSink::BeginChecked).
struct LeaseCheckedTransaction {
  StepSink& sink;
  const LockRequest& lease;
  void Begin() { sink.BeginChecked(lease); }
  void Commit(const Step& step) { sink.Commit(step); }
  void Rollback() noexcept { sink.Rollback(); }
};

}  // namespace

SourceLocation Step::Location(std::size_t index, std::size_t offset_in_statement) const {
  if (index >= statements.size()) return SourceLocation{file};
  LineColumn lc = LineColumnAt(sql, statements[index].offset + offset_in_statement);
  return SourceLocation{file, lc.line, lc.column};
}

std::string_view Step::StatementText(std::size_t index) const {
  return std::string_view(sql).substr(statements[index].offset, statements[index].length);
}

std::string_view Step::LogEvent() const {
  if (direction == Direction::kDown) return "down";
  return record_as == HistoryState::kBaseline ? "baseline" : "up";
}

std::vector<long long> ApplySteps(StepSink& sink, const std::vector<Step>& steps,
                                  const LockRequest& lease) {
  std::vector<long long> ms;
  if (steps.empty()) return ms;
  LeaseCheckedTransaction transaction{sink, lease};
  CrashPoint("before-step");
  InTransaction(
      transaction,
      [&] {
        for (const Step& step : steps) {
          auto started = std::chrono::steady_clock::now();
          sink.SetLocalTimeouts(step);
          for (std::size_t i = 0; i < step.statements.size(); ++i) {
            sink.Run(step, i);
            CrashPoint("after-statement");
          }
          ms.push_back(MillisSince(started));
          sink.RecordDone(step, lease, ms.back());
        }
        CrashPoint("before-commit");
      },
      steps.back());
  CrashPoint("after-commit");
  return ms;
}

long long ApplyStep(StepSink& sink, const Step& step, const LockRequest& lease) {
  auto t0 = std::chrono::steady_clock::now();
  long long ms = 0;
  CrashPoint("before-step");
  if (step.transactional) {
    LeaseCheckedTransaction transaction{sink, lease};
    InTransaction(
        transaction,
        [&] {
          sink.SetLocalTimeouts(step);
          for (std::size_t i = 0; i < step.statements.size(); ++i) {
            sink.Run(step, i);
            CrashPoint("after-statement");
          }
          ms = MillisSince(t0);
          sink.RecordDone(step, lease, ms);
          CrashPoint("before-commit");
        },
        step);
    CrashPoint("after-commit");
    // What the step took as seen here, commit included: a sink that sends the whole step at
    // its commit (PostgreSQL) has run nothing when RecordDone is called.
    return MillisSince(t0);
  }
  InTransaction(
      sink, [&] { sink.RecordStarted(step, lease); }, step);
  CrashPoint("after-started");
  sink.BeginStatements(step);
  for (std::size_t i = static_cast<std::size_t>(step.resume_from); i < step.statements.size();
       ++i) {
    sink.Run(step, i);
    CrashPoint("after-statement");
    sink.RecordProgress(step, static_cast<int>(i + 1));
    CrashPoint("after-progress");
  }
  sink.EndStatements(step);
  ms = MillisSince(t0);
  InTransaction(
      sink,
      [&] {
        sink.RecordDone(step, lease, ms);
        CrashPoint("before-commit");
      },
      step);
  CrashPoint("after-commit");
  return ms;
}

}  // namespace migrate
