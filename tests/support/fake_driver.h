// An in-memory Driver for engine unit tests: no database at all. It keeps history, the lock
// row and the statements it "ran", supplies ApplyStep's primitives with real transaction
// semantics (Rollback undoes what the transaction did), and fails any statement that
// contains the text "FAIL". Its clock only moves when a test calls Advance, so lease expiry
// is deterministic. It proves nothing about a real database: tests/conformance runs the same
// cases against SQLite and PostgreSQL.
#ifndef MIGRATE_TESTS_SUPPORT_FAKE_DRIVER_H_
#define MIGRATE_TESTS_SUPPORT_FAKE_DRIVER_H_

#include <map>
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
  Catalog catalog;  // what ReadCatalog returns
  int catalog_reads = 0;
  std::vector<SchemaSnapshot> snapshots;  // oldest first
  int rehearsals = 0;                     // BeginRehearsal calls
  // Other tools' tables by name, rows as ReadForeignTable returns them (columns ignored).
  std::map<std::string, std::vector<TextRow>> foreign;

  void Advance(long long ms) { now_ms += ms; }
};

// ApplyStep's primitives over a FakeDatabase.
class FakeSteps final : public StepSink {
 public:
  explicit FakeSteps(std::shared_ptr<FakeDatabase> db) : db_(std::move(db)) {}

  void Begin() override;
  void BeginChecked(const LockRequest& lease) override {
    CheckLease(lease);
    Begin();
  }
  void SetLocalTimeouts(const Step&) override {}
  void Commit(const Step&) override { saved_.reset(); }
  void Rollback() noexcept override;
  void Run(const Step& step, std::size_t index) override;
  void RecordStarted(const Step& step, const LockRequest& lease) override;
  void BeginStatements(const Step&) override {}
  void RecordProgress(const Step& step, int done) override;
  void EndStatements(const Step&) override {}
  void RecordDone(const Step& step, const LockRequest& lease, long long ms) override;

  void CheckLease(const LockRequest& lease) const;

 private:
  HistoryRow* Row(const std::string& version);

  struct Saved {
    std::vector<HistoryRow> history;
    std::size_t executed = 0;
  };
  std::shared_ptr<FakeDatabase> db_;
  std::optional<Saved> saved_;  // what Rollback restores
};

class FakeDriver final : public Driver {
 public:
  explicit FakeDriver(std::shared_ptr<FakeDatabase> db) : db_(db), steps_(db) {}

  Capabilities GetCapabilities() override { return {"fake", "1", 0}; }
  const Dialect& GetDialect() const override;
  void EnsureMetadata() override { db_->metadata = true; }
  std::vector<HistoryRow> ReadHistory() override;
  LockAttempt TryLock(const LockRequest& request) override;
  void ReleaseLock(const LockRequest& request) noexcept override;
  std::optional<LockHolder> ForceUnlock() override;
  std::optional<LockHolder> ReadLock() override { return db_->lock; }
  StepSink& Steps() override { return steps_; }
  std::optional<std::vector<TextRow>> ReadForeignTable(const QualifiedName& table,
                                                       const std::vector<std::string>&) override {
    auto it = db_->foreign.find(table.ToString());
    if (it == db_->foreign.end()) return std::nullopt;
    return it->second;
  }
  Catalog ReadCatalog() override {
    ++db_->catalog_reads;
    return db_->catalog;
  }
  std::optional<SchemaSnapshot> ReadSnapshot() override;
  void WriteSnapshot(const SchemaSnapshot& snapshot, const LockRequest& lease) override;
  std::string RenderScript(const std::vector<Step>&, const LockRequest&) override { return ""; }
  void Repair(const RepairRequest& request, const LockRequest& lease) override;
  // One transaction over the fake database, rolled back at the end; non-transactional steps
  // cannot be rehearsed (as on PostgreSQL).
  std::unique_ptr<Rehearsal> BeginRehearsal() override;
  void Interrupt() noexcept override {}

 private:
  std::shared_ptr<FakeDatabase> db_;
  FakeSteps steps_;
};

}  // namespace migrate::testing

#endif  // MIGRATE_TESTS_SUPPORT_FAKE_DRIVER_H_
