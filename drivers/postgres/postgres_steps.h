// The PostgreSQL StepSink: ApplyStep's primitives (apply.h) executed on a live session. A
// transactional step is BEGIN, SET LOCAL timeouts, its statements, one recording statement
// (history, log and lease; postgres_records.h) and COMMIT; a non-transactional one runs its
// statements outside a transaction with session timeouts, recording its progress after each.
#ifndef MIGRATE_DRIVERS_POSTGRES_POSTGRES_STEPS_H_
#define MIGRATE_DRIVERS_POSTGRES_POSTGRES_STEPS_H_

#include "migrate/driver.h"
#include "postgres/postgres_session.h"

namespace migrate::postgres {

class LiveSteps final : public StepSink {
 public:
  LiveSteps(Session& session, const TableNames& tables) : s_(session), tables_(tables) {}

  void Begin() override;
  void BeginChecked(const LockRequest& lease) override;
  void SetLocalTimeouts(const Step& step) override;
  void Commit(const Step& step) override;
  void Rollback() noexcept override { s_.Rollback(); }
  void Run(const Step& step, std::size_t index) override;
  void RecordStarted(const Step& step, const LockRequest& lease) override;
  void BeginStatements(const Step& step) override;
  void RecordProgress(const Step& step, int done) override;
  void EndStatements(const Step& step) override;
  void RecordDone(const Step& step, const LockRequest& lease, long long ms) override;

 private:
  bool RollBackOpenBlock();

  Session& s_;
  const TableNames& tables_;
};

}  // namespace migrate::postgres

#endif  // MIGRATE_DRIVERS_POSTGRES_POSTGRES_STEPS_H_
