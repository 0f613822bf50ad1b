#include "sqlite/sqlite_rehearsal.h"

#include <SQLiteCpp/Backup.h>
#include <unistd.h>

#include <filesystem>

#include "migrate/lock.h"
#include "sqlite/sqlite_driver.h"

namespace migrate::sqlite {
namespace {

namespace fs = std::filesystem;

// A new empty file in the temporary directory, for the copy.
std::string TemporaryFile() {
  std::string path = (fs::temp_directory_path() / "migrate-rehearsal-XXXXXX").string();
  int fd = ::mkstemp(path.data());
  if (fd < 0) {
    throw Error(
        ErrorCode::kConnection,
        "cannot create a file in " + fs::temp_directory_path().string() +
            " for the dry run's copy of the database (set TMPDIR to a directory with room)");
  }
  ::close(fd);
  return path;
}

class SqliteRehearsal final : public Rehearsal {
 public:
  SqliteRehearsal(SQLite::Database& source, const TableNames& tables) : path_(TemporaryFile()) {
    try {
      SQLite::Database copy(path_, SQLite::OPEN_READWRITE);
      SQLite::Backup backup(copy, source);
      backup.executeStep();  // every page at once
    } catch (const SQLite::Exception& e) {
      Remove();
      throw Error(ErrorCode::kConnection,
                  std::string("cannot copy the database for the dry run: ") + e.what());
    }
    driver_ = OpenSqlite({path_, tables, false, std::chrono::seconds(5), true});
    driver_->EnsureMetadata();
    lease_ = MakeLockRequest(std::chrono::hours(24));
    driver_->ForceUnlock();  // a copy of a lock another run holds on the original
    driver_->TryLock(lease_);
  }

  ~SqliteRehearsal() override {
    driver_.reset();
    Remove();
  }

  bool CanRehearse(const Step&) const override { return true; }

  long long Rehearse(const Step& step) override { return driver_->Apply(step, lease_); }

 private:
  void Remove() noexcept {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path_ + suffix, ignored);
  }

  std::string path_;
  std::unique_ptr<Driver> driver_;
  LockRequest lease_;
};

}  // namespace

std::unique_ptr<Rehearsal> BeginSqliteRehearsal(SQLite::Database& source,
                                                const TableNames& tables) {
  return std::make_unique<SqliteRehearsal>(source, tables);
}

}  // namespace migrate::sqlite
