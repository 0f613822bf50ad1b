#include "postgres/postgres_steps.h"

#include "postgres/postgres_records.h"
#include "postgres/postgres_script.h"

namespace migrate::postgres {

void LiveSteps::Begin() {
  Guard("cannot begin a transaction", [&] { s_.Begin(); });
}

void LiveSteps::BeginChecked(const LockRequest& lease) {
  // The lease check rides with BEGIN: one round trip, as before.
  bool held = false;
  Guard("cannot begin a transaction", [&] {
    held = !s_.BeginWith(Inline(HoldsLock(tables_, lease),
                                [&](const std::string& v) { return s_.Quote(v); }))
                .empty();
  });
  if (!held) {
    s_.Rollback();
    throw LockLostError();
  }
}

void LiveSteps::SetLocalTimeouts(const Step& step) {
  Guard(step.file, [&] {
    for (const std::string& set : SetTimeouts(step, true)) s_.Exec(set);
  });
}

void LiveSteps::Commit(const Step& step) {
  Guard(step.file, [&] {
    try {
      s_.Commit();
    } catch (const pqxx::in_doubt_error&) {
      throw Error(ErrorCode::kConnection,
                  step.file +
                      ": the connection broke during COMMIT, so whether it applied is unknown; "
                      "its history row was in the same transaction, so the next 'migrate run' "
                      "applies it only if it did not ('migrate status' shows which)");
    }
  });
}

// Whether a statement of a non-transactional file opened a transaction block (its own BEGIN)
// that is still open, failed or not; when so, it is rolled back, so that nothing after it
// (the progress row, the lock's release) runs inside it.
bool LiveSteps::RollBackOpenBlock() {
  bool open = true;
  try {
    // In a block, now() is when it began; outside, each statement is its own transaction
    // and now() is the statement's start. In a failed block, this fails (25P02).
    open = s_.Exec("SELECT now() <> statement_timestamp()")[0][0].as<bool>();
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const pqxx::sql_error&) {
  }
  if (open) s_.Exec("ROLLBACK");
  return open;
}

void LiveSteps::Run(const Step& step, std::size_t index) {
  Guard(step.file, [&] {
    try {
      s_.Exec(std::string(step.StatementText(index)));
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const pqxx::sql_error& e) {
      if (!step.transactional) RollBackOpenBlock();
      throw StatementError(e, step, index);
    }
  });
}

void LiveSteps::RecordStarted(const Step& step, const LockRequest& lease) {
  Guard(step.file, [&] {
    if (s_.Exec(RenewLease(tables_, lease)).affected_rows() != 1) throw LockLostError();
    s_.Exec(step.direction == Direction::kUp ? InsertStarted(tables_, step, lease)
                                             : MarkDownStarted(tables_, step));
  });
}

void LiveSteps::BeginStatements(const Step& step) {
  Guard(step.file, [&] {
    for (const std::string& set : SetTimeouts(step, false)) s_.Exec(set);
  });
}

void LiveSteps::RecordProgress(const Step& step, int done) {
  Guard(step.file, [&] { s_.Exec(SetProgress(tables_, step, done)); });
}

void LiveSteps::EndStatements(const Step& step) {
  bool open = false;
  Guard(step.file, [&] {
    open = RollBackOpenBlock();  // before the resets, which its rollback would undo
    for (const std::string& reset : ResetTimeouts(step)) s_.Exec(reset);
  });
  if (open) {
    throw Error(ErrorCode::kMigrationFailed,
                step.file +
                    ": the file leaves a transaction open; end it with COMMIT (what "
                    "ran after its BEGIN was rolled back)",
                SourceLocation{step.file});
  }
}

void LiveSteps::RecordDone(const Step& step, const LockRequest& lease, long long ms) {
  // History row, log row and lease check in one round trip, just before COMMIT: while this
  // session holds the advisory lock no other runner can take the lock row, so the lease is
  // checked once, here.
  Guard(step.file, [&] {
    if (s_.Exec(postgres::RecordDone(tables_, step, lease, ms)).affected_rows() != 1)
      throw LockLostError();
  });
}

}  // namespace migrate::postgres
