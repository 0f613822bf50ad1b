#include "support/fake_driver.h"

#include <algorithm>

#include "sqlite/sqlite_driver.h"

namespace migrate::testing {

void FakeSteps::Begin() { saved_ = Saved{db_->history, db_->executed.size()}; }

void FakeSteps::Rollback() noexcept {
  if (!saved_) return;
  db_->history = std::move(saved_->history);
  db_->executed.resize(saved_->executed);
  saved_.reset();
}

void FakeSteps::Run(const Step& step, std::size_t index) {
  std::string text(step.StatementText(index));
  if (text.find("FAIL") != std::string::npos) {
    throw Error(ErrorCode::kMigrationFailed, "fake: statement failed", step.Location(index));
  }
  db_->executed.push_back(text);
}

HistoryRow* FakeSteps::Row(const std::string& version) {
  auto it = std::find_if(db_->history.begin(), db_->history.end(),
                         [&](const HistoryRow& r) { return r.version == version; });
  return it == db_->history.end() ? nullptr : &*it;
}

void FakeSteps::RecordStarted(const Step& step, const LockRequest& lease) {
  CheckLease(lease);
  if (step.direction == Direction::kDown) {
    if (HistoryRow* row = Row(step.version)) {
      row->state = HistoryState::kStarted;
      row->progress = 0;
    }
    return;
  }
  std::erase_if(db_->history, [&](const HistoryRow& r) { return r.version == step.version; });
  db_->history.push_back({step.version, step.slug, step.checksum, step.down_checksum,
                          HistoryState::kStarted, std::to_string(db_->now_ms), 0, lease.Holder(),
                          step.tool_version, lease.run_id, step.resume_from, step.fingerprint});
}

void FakeSteps::RecordProgress(const Step& step, int done) {
  if (HistoryRow* row = Row(step.version)) row->progress = done;
}

void FakeSteps::RecordDone(const Step& step, const LockRequest& lease, long long ms) {
  CheckLease(lease);
  std::erase_if(db_->history, [&](const HistoryRow& r) { return r.version == step.version; });
  if (step.direction == Direction::kDown) return;
  db_->history.push_back({step.version, step.slug, step.checksum, step.down_checksum,
                          step.record_as, std::to_string(db_->now_ms), ms, lease.Holder(),
                          step.tool_version, lease.run_id, static_cast<int>(step.statements.size()),
                          step.fingerprint});
}

void FakeSteps::CheckLease(const LockRequest& lease) const {
  if (!db_->lock || db_->lock->run_id != lease.run_id) throw LockLostError();
}

const Dialect& FakeDriver::GetDialect() const { return sqlite::SqliteDialect(); }

namespace {

class FakeRehearsal final : public Rehearsal {
 public:
  explicit FakeRehearsal(std::shared_ptr<FakeDatabase> db) : steps_(std::move(db)) {
    steps_.Begin();
  }
  ~FakeRehearsal() override { steps_.Rollback(); }
  std::string WhyNotRehearsable(const Step& step) const override {
    return step.transactional ? "" : "it runs outside a transaction";
  }
  Rehearsed Rehearse(const Step& step) override {
    for (std::size_t i = 0; i < step.statements.size(); ++i) steps_.Run(step, i);
    return {0, ""};
  }

 private:
  FakeSteps steps_;
};

}  // namespace

std::unique_ptr<Rehearsal> FakeDriver::BeginRehearsal() {
  ++db_->rehearsals;
  return std::make_unique<FakeRehearsal>(db_);
}

std::vector<HistoryRow> FakeDriver::ReadHistory() {
  std::vector<HistoryRow> rows = db_->history;
  SortByVersion(rows);
  return rows;
}

LockAttempt FakeDriver::TryLock(const LockRequest& request) {
  ++db_->lock_attempts;
  if (db_->lock && db_->lock->run_id != request.run_id && db_->lock_expires_ms > db_->now_ms) {
    return {false, db_->lock};
  }
  db_->lock = LockHolder{request.Holder(), request.run_id, std::to_string(db_->now_ms),
                         std::to_string(db_->now_ms + request.lease.count())};
  db_->lock_expires_ms = db_->now_ms + request.lease.count();
  return {true, std::nullopt};
}

void FakeDriver::ReleaseLock(const LockRequest& request) noexcept {
  if (db_->lock && db_->lock->run_id == request.run_id) db_->lock.reset();
}

std::optional<LockHolder> FakeDriver::ForceUnlock() {
  auto held = db_->lock;
  db_->lock.reset();
  return held;
}

void FakeDriver::Repair(const RepairRequest& request, const LockRequest& lease) {
  steps_.CheckLease(lease);
  if (request.action == RepairAction::kForget) {
    std::erase_if(db_->history, [&](const HistoryRow& r) { return r.version == request.version; });
    return;
  }
  for (HistoryRow& r : db_->history) {
    if (r.version != request.version) continue;
    if (request.action == RepairAction::kMarkApplied) r.state = HistoryState::kApplied;
    if (request.action == RepairAction::kAccept) {
      r.checksum = request.checksum;
      r.down_checksum = request.down_checksum;
      r.fingerprint = request.fingerprint;
    }
  }
}

std::optional<SchemaSnapshot> FakeDriver::ReadSnapshot() {
  if (db_->snapshots.empty()) return std::nullopt;
  return db_->snapshots.back();
}

void FakeDriver::WriteSnapshot(const SchemaSnapshot& snapshot, const LockRequest& lease) {
  steps_.CheckLease(lease);
  db_->snapshots.push_back(snapshot);
  db_->snapshots.back().taken_at = std::to_string(db_->now_ms);
  db_->snapshots.back().actor = lease.Holder();
  if (db_->snapshots.size() > static_cast<std::size_t>(kSnapshotsKept)) {
    db_->snapshots.erase(db_->snapshots.begin());
  }
}

}  // namespace migrate::testing
