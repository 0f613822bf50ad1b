// The PostgreSQL StepSink: ApplyStep's primitives (apply.h) executed on a live session. A
// transactional step is BEGIN, the lease check, SET LOCAL timeouts, its statements, one
// recording statement (history, log and lease; postgres_records.h), the lease check again and
// COMMIT, gathered as ApplyStep calls for them and sent at its Commit as one message: one
// round trip (postgres_batch.h). A failure is reported there as if the part had run alone:
// a statement at its file:line:column with its SQLSTATE, a lost lease as kLockLost. A
// non-transactional step runs its statements one by one outside a transaction with session
// timeouts, recording its progress after each.
#ifndef MIGRATE_DRIVERS_POSTGRES_POSTGRES_STEPS_H_
#define MIGRATE_DRIVERS_POSTGRES_POSTGRES_STEPS_H_

#include <optional>
#include <vector>

#include "migrate/driver.h"
#include "postgres/postgres_batch.h"
#include "postgres/postgres_session.h"

namespace migrate::postgres {

class LiveSteps final : public StepSink {
 public:
  LiveSteps(Session& session, const TableNames& tables) : s_(session), tables_(tables) {}

  void Begin() override;
  void BeginChecked(const LockRequest& lease) override;
  void SetLocalTimeouts(const Step& step) override;
  void Commit(const Step& step) override;
  void Rollback() noexcept override;
  void Run(const Step& step, std::size_t index) override;
  void RecordStarted(const Step& step, const LockRequest& lease) override;
  void BeginStatements(const Step& step) override;
  void RecordProgress(const Step& step, int done) override;
  void EndStatements(const Step& step) override;
  void RecordDone(const Step& step, const LockRequest& lease, long long ms) override;

 private:
  bool RollBackOpenBlock();
  // Adds a part to the batch of the transactional step(s) being gathered.
  void Gather(const SqlCommand& command, int tag, int group);
  // The group of `step` in the batch: a new one when it is not the last step gathered.
  int GroupOf(const Step& step);
  // Sends the gathered step and throws what its failure means.
  void SendBatch(const Step& step);

  Session& s_;
  const TableNames& tables_;
  std::optional<Batch> batch_;  // a transactional step (or several: ApplySteps) being gathered
  std::vector<const Step*> gathered_;  // the steps of batch_, by group
  bool batch_sent_ = false;            // and sent: a failure may have left its transaction open
};

}  // namespace migrate::postgres

#endif  // MIGRATE_DRIVERS_POSTGRES_POSTGRES_STEPS_H_
