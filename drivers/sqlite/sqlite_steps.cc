#include "sqlite/sqlite_steps.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>

#include "migrate/sql_text.h"
#include "sqlite/sqlite_records.h"

namespace migrate::sqlite {

void SqliteSteps::Begin() {
  Guard(ErrorCode::kMigrationFailed, "cannot begin a transaction", [&] { c_.Begin(); });
  own_transaction_ = true;
}

void SqliteSteps::BeginChecked(const LockRequest& lease) {
  Begin();  // BEGIN IMMEDIATE: from here on no other runner can take the row
  try {
    Guard(ErrorCode::kMigrationFailed, "cannot check the migration lock", [&] { Renew(lease); });
  } catch (...) {
    Rollback();
    throw;
  }
}

void SqliteSteps::Commit(const Step& step) {
  watch_.reset();
  own_transaction_ = false;
  Guard(ErrorCode::kMigrationFailed, step.file, [&] { c_.Commit(); });
}

void SqliteSteps::Rollback() noexcept {
  watch_.reset();
  own_transaction_ = false;
  c_.Rollback();
}

void SqliteSteps::Run(const Step& step, std::size_t index) {
  // The first statement of a transactional step starts the watch on what its statements
  // write.
  if (own_transaction_ && !watch_) {
    watch_ = std::make_unique<ForeignKeyWatch>(c_.db(), OwnTables(), c_.denies_attaching_files());
  }
  std::string_view text = step.StatementText(index);
  sqlite3* db = c_.db().getHandle();
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, text.data(), static_cast<int>(text.size()), &stmt, nullptr);
  if (rc == SQLITE_OK && stmt) {
    do {
      rc = sqlite3_step(stmt);
    } while (rc == SQLITE_ROW);
    if (rc == SQLITE_DONE) rc = SQLITE_OK;
  }
  if (rc == SQLITE_OK) {
    sqlite3_finalize(stmt);
    return;
  }
  std::string message = sqlite3_errmsg(db);
  int extended = sqlite3_extended_errcode(db);
  int where = sqlite3_error_offset(db);
  sqlite3_finalize(stmt);
  SourceLocation loc = step.Location(index, where >= 0 ? static_cast<std::size_t>(where) : 0);
  throw Error(ErrorCode::kMigrationFailed,
              loc.ToString() + ": statement " + std::to_string(index + 1) + " of " +
                  std::to_string(step.statements.size()) + " failed: " + message + "\n  " +
                  Excerpt(text),
              loc, "SQLITE_" + std::to_string(extended));
}

void SqliteSteps::RecordStarted(const Step& step, const LockRequest& lease) {
  Guard(ErrorCode::kMigrationFailed, step.file, [&] {
    Renew(lease);
    c_.Exec(step.direction == Direction::kUp
                ? WriteHistory(tables_, step, lease, HistoryState::kStarted, 0)
                : MarkDownStarted(tables_, step));
  });
}

void SqliteSteps::RecordProgress(const Step& step, int done) {
  Guard(ErrorCode::kMigrationFailed, step.file, [&] { c_.Exec(SetProgress(tables_, step, done)); });
}

void SqliteSteps::EndStatements(const Step& step) {
  if (!c_.TransactionOpen()) return;
  c_.Rollback();  // the next BEGIN IMMEDIATE would fail inside it
  throw Error(ErrorCode::kMigrationFailed,
              step.file + ": the file leaves a transaction open; end it with COMMIT",
              SourceLocation{step.file});
}

void SqliteSteps::RecordDone(const Step& step, const LockRequest& lease, long long ms) {
  if (watch_) CheckForeignKeys(step);
  Guard(ErrorCode::kMigrationFailed, step.file, [&] {
    c_.Exec(step.direction == Direction::kUp
                ? WriteHistory(tables_, step, lease, step.record_as, ms)
                : DeleteHistory(tables_, step));
    c_.Exec(InsertLog(tables_, step, lease, ms));
    // BEGIN IMMEDIATE keeps every other writer out until COMMIT, so one renewal, the last
    // statement before COMMIT, both checks and extends the lease.
    Renew(lease);
  });
}

void SqliteSteps::Renew(const LockRequest& lease) {
  auto now = std::chrono::steady_clock::now();
  bool held;
  if (lease.run_id != renewed_run_ || now - renewed_at_ >= lease.lease / 2) {
    held = c_.Exec(ExtendLease(tables_, lease)) == 1;
    if (held) {
      renewed_at_ = now;
      renewed_run_ = lease.run_id;
    }
  } else {
    held = false;
    c_.Query(CheckLease(tables_, lease), [&](SQLite::Statement&) { held = true; });
  }
  if (!held) {
    renewed_run_.clear();
    throw LockLostError();
  }
}

std::set<std::string> SqliteSteps::OwnTables() const {
  std::set<std::string> out;
  for (const QualifiedName* t : tables_.All()) {
    std::string name = t->table();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    out.insert(name);
  }
  return out;
}

void SqliteSteps::CheckForeignKeys(const Step& step) {
  std::string violation;
  Guard(ErrorCode::kMigrationFailed, step.file, [&] { violation = watch_->Check(); });
  watch_.reset();
  if (violation.empty()) return;
  throw Error(ErrorCode::kMigrationFailed,
              step.file + ": foreign key violation after the migration: " + violation +
                  " (PRAGMA foreign_key_check); nothing was committed",
              SourceLocation{step.file});
}

}  // namespace migrate::sqlite
