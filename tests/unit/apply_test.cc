// The protocol of applying one step (apply.h), checked as the sequence of primitives it asks
// of a StepSink: no database, only the order of calls.
#include "migrate/apply.h"

#include <catch2/catch.hpp>

using namespace migrate;

namespace {

// Records each primitive as a word; fails Run at `fail_at` and RecordDone when `lose_lease`.
class RecordingSink final : public StepSink {
 public:
  std::vector<std::string> calls;
  std::optional<std::size_t> fail_at;
  bool lose_lease = false;
  bool lease_lost_before = false;  // the lease was lost before the step began

  void Begin() override { calls.push_back("begin"); }
  void BeginChecked(const LockRequest&) override {
    calls.push_back("begin");
    if (lease_lost_before) throw LockLostError();
  }
  void SetLocalTimeouts(const Step&) override { calls.push_back("set-local"); }
  void Commit(const Step&) override { calls.push_back("commit"); }
  void Rollback() noexcept override { calls.push_back("rollback"); }
  void Run(const Step& step, std::size_t index) override {
    calls.push_back("run " + std::to_string(index));
    if (fail_at && *fail_at == index) {
      throw Error(ErrorCode::kMigrationFailed, "failed", step.Location(index));
    }
  }
  void RecordStarted(const Step&, const LockRequest&) override { calls.push_back("started"); }
  void BeginStatements(const Step&) override { calls.push_back("session-timeouts"); }
  void RecordProgress(const Step&, int done) override {
    calls.push_back("progress " + std::to_string(done));
  }
  void EndStatements(const Step&) override { calls.push_back("end-statements"); }
  void RecordDone(const Step&, const LockRequest&, long long) override {
    calls.push_back("done");
    if (lose_lease) throw LockLostError();
  }
};

Step ThreeStatements(bool transactional, int resume_from = 0) {
  Step step;
  step.version = "1";
  step.file = "1_x.up.sql";
  step.sql = "A;\nB;\nC;\n";
  for (std::size_t offset : {0, 3, 6}) {
    Statement st;
    st.offset = offset;
    st.length = 2;
    step.statements.push_back(st);
  }
  step.transactional = transactional;
  step.resume_from = resume_from;
  return step;
}

using Calls = std::vector<std::string>;

}  // namespace

TEST_CASE("a transactional step is one transaction: statements, then the record", "[unit]") {
  RecordingSink sink;
  ApplyStep(sink, ThreeStatements(true), LockRequest{});
  CHECK(sink.calls == Calls{"begin", "set-local", "run 0", "run 1", "run 2", "done", "commit"});
}

TEST_CASE("a failing statement or a lost lease rolls the whole step back", "[unit]") {
  RecordingSink failing;
  failing.fail_at = 1;
  CHECK_THROWS_AS(ApplyStep(failing, ThreeStatements(true), LockRequest{}), Error);
  CHECK(failing.calls == Calls{"begin", "set-local", "run 0", "run 1", "rollback"});

  RecordingSink lost;
  lost.lose_lease = true;
  try {
    ApplyStep(lost, ThreeStatements(true), LockRequest{});
    FAIL("expected the lost lease to stop the step");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kLockLost);
  }
  CHECK(lost.calls.back() == "rollback");
}

TEST_CASE("a transactional step whose lease was lost before it began runs no statement", "[unit]") {
  RecordingSink sink;
  sink.lease_lost_before = true;
  try {
    ApplyStep(sink, ThreeStatements(true), LockRequest{});
    FAIL("expected the lost lease to stop the step at its BEGIN");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kLockLost);
    CHECK_THAT(e.what(), Catch::Contains("freed by 'migrate unlock'"));
  }
  CHECK(sink.calls == Calls{"begin"});  // BeginChecked left no transaction open
}

TEST_CASE("a non-transactional step records started, progress after each statement, done",
          "[unit]") {
  RecordingSink sink;
  ApplyStep(sink, ThreeStatements(false), LockRequest{});
  CHECK(sink.calls == Calls{"begin", "started", "commit", "session-timeouts", "run 0", "progress 1",
                            "run 1", "progress 2", "run 2", "progress 3", "end-statements", "begin",
                            "done", "commit"});

  RecordingSink resumed;  // statements already done are not run again
  ApplyStep(resumed, ThreeStatements(false, 2), LockRequest{});
  CHECK(resumed.calls == Calls{"begin", "started", "commit", "session-timeouts", "run 2",
                               "progress 3", "end-statements", "begin", "done", "commit"});

  RecordingSink failing;  // a failure leaves the started row with its progress
  failing.fail_at = 1;
  CHECK_THROWS_AS(ApplyStep(failing, ThreeStatements(false), LockRequest{}), Error);
  CHECK(failing.calls ==
        Calls{"begin", "started", "commit", "session-timeouts", "run 0", "progress 1", "run 1"});
}
