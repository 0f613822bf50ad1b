// The SQLite StepSink: ApplyStep's primitives (apply.h) on one connection. Transactions are
// BEGIN IMMEDIATE, so the lease checked just before COMMIT cannot change under it. The
// statements of a transactional step are watched (ForeignKeyWatch) and PRAGMA
// foreign_key_check runs on what they touched before the step is recorded: migrations run
// with foreign keys off, as SQLite's table-rebuild procedure needs, and a violation fails the
// step.
#ifndef MIGRATE_DRIVERS_SQLITE_SQLITE_STEPS_H_
#define MIGRATE_DRIVERS_SQLITE_SQLITE_STEPS_H_

#include <chrono>
#include <memory>
#include <set>
#include <string>

#include "migrate/driver.h"
#include "sqlite/sqlite_connection.h"
#include "sqlite/sqlite_fk_watch.h"

namespace migrate::sqlite {

class SqliteSteps final : public StepSink {
 public:
  SqliteSteps(Connection& c, const TableNames& tables) : c_(c), tables_(tables) {}

  void Begin() override;
  void BeginChecked(const LockRequest& lease) override;
  void SetLocalTimeouts(const Step&) override {}  // SQLite has no lock or statement timeouts
  void Commit(const Step& step) override;
  void Rollback() noexcept override;
  void Run(const Step& step, std::size_t index) override;
  void RecordStarted(const Step& step, const LockRequest& lease) override;
  void BeginStatements(const Step&) override {}
  void RecordProgress(const Step& step, int done) override;
  void EndStatements(const Step& step) override;
  void RecordDone(const Step& step, const LockRequest& lease, long long ms) override;

  // Checks that `lease` still holds the lock row, and extends it once half of it has passed
  // (a write costs pages in the journal; a check does not). REQUIRES: in a transaction.
  // Throws Error(kLockLost).
  void Renew(const LockRequest& lease);

 private:
  // migrate's own tables, lowercased, which the foreign-key watch leaves out.
  std::set<std::string> OwnTables() const;
  void CheckForeignKeys(const Step& step);

  Connection& c_;
  const TableNames& tables_;
  bool own_transaction_ = false;            // between Begin and Commit or Rollback
  std::unique_ptr<ForeignKeyWatch> watch_;  // while a transaction runs user statements
  std::string renewed_run_;                 // the lease this connection last extended, and when
  std::chrono::steady_clock::time_point renewed_at_;
};

}  // namespace migrate::sqlite

#endif  // MIGRATE_DRIVERS_SQLITE_SQLITE_STEPS_H_
