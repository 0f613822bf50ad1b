// An in-memory Driver for engine unit tests: no database at all. It keeps history, the lock
// row and the statements it "ran", honours the transactional contract (a failing step
// leaves nothing), and fails any statement that contains the text "FAIL". Its clock only
// moves when a test calls Advance, so lease expiry is deterministic.
#ifndef MIGRATE_TESTS_SUPPORT_FAKE_DRIVER_H_
#define MIGRATE_TESTS_SUPPORT_FAKE_DRIVER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "migrate/driver.h"

namespace migrate::testing {

// The shared "database" behind one or more FakeDrivers (like connections to one server).
struct FakeDatabase {
  bool metadata = false;
  std::vector<HistoryRow> history;
  std::optional<LockHolder> lock;
  long long lock_expires_ms = 0;
  long long now_ms = 1'000'000;
  std::vector<std::string> executed;  // statements, in order, of committed work
  int lock_attempts = 0;

  void Advance(long long ms) { now_ms += ms; }
};

class FakeDriver final : public Driver {
 public:
  explicit FakeDriver(std::shared_ptr<FakeDatabase> db) : db_(std::move(db)) {}

  Capabilities GetCapabilities() override { return {"fake", "sqlite", "1", true}; }
  const Dialect& GetDialect() const override;
  void EnsureMetadata() override { db_->metadata = true; }
  std::vector<HistoryRow> ReadHistory() override;
  LockAttempt TryLock(const LockRequest& request) override;
  void ReleaseLock(const LockRequest& request) noexcept override;
  std::optional<LockHolder> ForceUnlock() override;
  std::optional<LockHolder> ReadLock() override { return db_->lock; }
  long long Apply(const Step& step, const LockRequest& lease) override;
  std::vector<SchemaObject> SnapshotSchema() override { return {}; }
  std::string RenderScript(const std::vector<Step>&, const LockRequest&) override { return ""; }
  void Repair(const std::string& version, bool mark_applied, const LockRequest& lease) override;

 private:
  void CheckLease(const LockRequest& lease) const;

  std::shared_ptr<FakeDatabase> db_;
};

}  // namespace migrate::testing

#endif  // MIGRATE_TESTS_SUPPORT_FAKE_DRIVER_H_
