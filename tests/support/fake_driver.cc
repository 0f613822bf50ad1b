#include "support/fake_driver.h"

#include <algorithm>

#include "sqlite/sqlite_dialect.h"

namespace migrate::testing {

const Dialect& FakeDriver::GetDialect() const { return sqlite::SqliteDialect(); }

std::vector<HistoryRow> FakeDriver::ReadHistory() {
  std::vector<HistoryRow> rows = db_->history;
  std::sort(rows.begin(), rows.end(), [](const HistoryRow& a, const HistoryRow& b) {
    return CompareVersions(a.version, b.version) < 0;
  });
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

void FakeDriver::CheckLease(const LockRequest& lease) const {
  if (!db_->lock || db_->lock->run_id != lease.run_id) {
    throw Error(ErrorCode::kLockLost, "fake: lease lost");
  }
}

long long FakeDriver::Apply(const Step& step, const LockRequest& lease) {
  CheckLease(lease);
  std::vector<std::string> ran;
  for (std::size_t i = 0; i < step.statements.size(); ++i) {
    std::string text = step.sql.substr(step.statements[i].offset, step.statements[i].length);
    if (text.find("FAIL") != std::string::npos) {
      if (!step.transactional) {
        // Statements before this one stayed; the row says how far it got.
        for (const std::string& s : ran) db_->executed.push_back(s);
        HistoryRow row{step.version,
                       step.slug,
                       step.checksum,
                       step.down_checksum,
                       HistoryState::kStarted,
                       "",
                       0,
                       lease.Holder(),
                       step.tool_version,
                       lease.run_id,
                       static_cast<int>(i),
                       step.fingerprint};
        db_->history.push_back(row);
      }
      throw Error(ErrorCode::kMigrationFailed, "fake: statement failed", step.Location(i));
    }
    ran.push_back(text);
  }
  for (const std::string& s : ran) db_->executed.push_back(s);
  if (step.direction == Direction::kUp) {
    db_->history.push_back({step.version, step.slug, step.checksum, step.down_checksum,
                            HistoryState::kApplied, std::to_string(db_->now_ms), 1, lease.Holder(),
                            step.tool_version, lease.run_id,
                            static_cast<int>(step.statements.size()), step.fingerprint});
  } else {
    std::erase_if(db_->history, [&](const HistoryRow& r) { return r.version == step.version; });
  }
  return 1;
}

void FakeDriver::Repair(const std::string& version, bool mark_applied, const LockRequest& lease) {
  CheckLease(lease);
  for (HistoryRow& r : db_->history) {
    if (r.version == version && mark_applied) r.state = HistoryState::kApplied;
  }
  if (!mark_applied) {
    std::erase_if(db_->history, [&](const HistoryRow& r) { return r.version == version; });
  }
}

}  // namespace migrate::testing
