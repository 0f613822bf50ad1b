#include "postgres/postgres_steps.h"

#include <libpq-fe.h>

#include "postgres/postgres_records.h"
#include "postgres/postgres_script.h"

namespace migrate::postgres {
namespace {

std::string InDoubt(const Step& step) {
  return step.file +
         ": the connection broke during COMMIT, so whether it applied is unknown; its history "
         "row was in the same transaction, so the next 'migrate run' applies it only if it did "
         "not ('migrate status' shows which)";
}

// Ends a transaction a failed message left open, on the raw connection. Never throws.
void RollBackRaw(pg_conn* conn) noexcept {
  if (!conn || PQtransactionStatus(conn) == PQTRANS_IDLE ||
      PQtransactionStatus(conn) == PQTRANS_UNKNOWN) {
    return;
  }
  PQclear(PQexec(conn, "ROLLBACK"));
}

// The parts of a gathered step that are not its statements (whose tags are their indexes).
enum Part : int {
  kBegin = -1,
  kLeaseAtBegin = -2,
  kTimeouts = -3,
  kRecord = -4,
  kLeaseAtEnd = -5,
  kCommit = -6,
};

}  // namespace

void LiveSteps::Begin() {
  Guard("cannot begin a transaction", [&] { s_.Begin(); });
}

void LiveSteps::Gather(const SqlCommand& command, int tag, int group) {
  batch_->Add(Inline(command, [&](const std::string& v) { return s_.Quote(v); }), tag, group);
}

int LiveSteps::GroupOf(const Step& step) {
  if (gathered_.empty() || gathered_.back() != &step) gathered_.push_back(&step);
  return static_cast<int>(gathered_.size()) - 1;
}

void LiveSteps::BeginChecked(const LockRequest& lease) {
  // A transactional step: gathered from here to Commit, then sent as one message. The lease
  // check fails the message (and so the step) when another runner holds the lock row.
  batch_.emplace();
  gathered_.clear();
  batch_sent_ = false;
  batch_->Add("BEGIN", kBegin);
  Gather(FailUnlessHoldsLock(tables_, lease), kLeaseAtBegin, 0);
}

void LiveSteps::SetLocalTimeouts(const Step& step) {
  if (batch_) {
    const Step* previous =
        gathered_.empty() || gathered_.back() == &step ? nullptr : gathered_.back();
    int group = GroupOf(step);
    for (const std::string& set : TimeoutsAfter(step, previous)) {
      batch_->Add(set, kTimeouts, group);
    }
    return;
  }
  Guard(step.file, [&] {
    for (const std::string& set : SetTimeouts(step, true)) s_.Exec(set);
  });
}

void LiveSteps::Commit(const Step& step) {
  if (batch_) {
    batch_->Add("COMMIT", kCommit);
    SendBatch(step);
    batch_.reset();
    return;
  }
  Guard(step.file, [&] {
    try {
      s_.Commit();
    } catch (const pqxx::in_doubt_error&) {
      throw Error(ErrorCode::kConnection, InDoubt(step));
    }
  });
}

void LiveSteps::Rollback() noexcept {
  if (batch_) {
    if (batch_sent_) RollBackRaw(s_.connection().raw());
    batch_.reset();
  }
  s_.Rollback();
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
  if (batch_) {
    batch_->Add(step.StatementText(index), static_cast<int>(index), GroupOf(step));
    return;
  }
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
  if (batch_) {  // its duration is measured by the server: nothing has run yet
    int group = GroupOf(step);
    Gather(postgres::RecordDone(tables_, step, lease, -1), kRecord, group);
    Gather(FailUnlessHoldsLock(tables_, lease), kLeaseAtEnd, group);
    return;
  }
  Guard(step.file, [&] {
    if (s_.Exec(postgres::RecordDone(tables_, step, lease, ms)).affected_rows() != 1)
      throw LockLostError();
  });
}

void LiveSteps::SendBatch(const Step& step) {
  pg_conn* conn = s_.connection().raw();
  if (!conn) throw Error(ErrorCode::kConnection, step.file + ": not connected to PostgreSQL");
  batch_sent_ = true;
  BatchOutcome outcome = batch_->Run(conn);
  if (!outcome.failure) {
    batch_sent_ = false;  // committed
    return;
  }
  const BatchFailure& f = *outcome.failure;
  // Of several steps sent together (ApplySteps), the one the failing part belongs to.
  const Step& failed = static_cast<std::size_t>(f.group) < gathered_.size()
                           ? *gathered_[static_cast<std::size_t>(f.group)]
                           : step;
  if (outcome.lost) {
    // Sent whole, any part may have run, COMMIT included: the history row went with it.
    if (outcome.sent) throw Error(ErrorCode::kConnection, InDoubt(step));
    throw Error(ErrorCode::kConnection, step.file + ": lost the connection to PostgreSQL: " +
                                            CleanServerMessage(f.message));
  }
  if ((f.tag == kLeaseAtBegin || f.tag == kLeaseAtEnd) && f.sqlstate == "22P02" &&
      f.message.find("migrate: the lock lease was lost") != std::string::npos) {
    throw LockLostError();
  }
  if (f.tag == kCommit && gathered_.size() > 1) {  // --single-transaction: no one file's
    throw Error(ErrorCode::kMigrationFailed,
                "the COMMIT of the single transaction of " + std::to_string(gathered_.size()) +
                    " migrations failed (deferred constraints are checked there); none of them "
                    "is applied: " +
                    CleanServerMessage(f.message),
                {}, f.sqlstate);
  }
  if (f.tag >= 0) {
    throw StatementError(ServerError{f.message, f.sqlstate, f.offset}, failed,
                         static_cast<std::size_t>(f.tag));
  }
  throw Error(ErrorCode::kMigrationFailed, failed.file + ": " + CleanServerMessage(f.message),
              SourceLocation{failed.file}, f.sqlstate);
}

}  // namespace migrate::postgres
