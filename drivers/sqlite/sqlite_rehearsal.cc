#include "sqlite/sqlite_rehearsal.h"

#include <SQLiteCpp/Backup.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "migrate/lock.h"
#include "migrate/stopwatch.h"
#include "sqlite/sqlite_driver.h"

namespace migrate::sqlite {
namespace {

namespace fs = std::filesystem;

// The directory for the copy: TMPDIR, else /tmp. Throws Error(kIo) saying what to set.
fs::path TemporaryDirectory() {
  std::error_code error;
  fs::path dir = fs::temp_directory_path(error);
  if (error || !fs::is_directory(dir)) {
    const char* tmpdir = std::getenv("TMPDIR");
    throw Error(ErrorCode::kIo, std::string("the dry run needs a directory for its copy of the "
                                            "database, and TMPDIR ('") +
                                    (tmpdir ? tmpdir : "") +
                                    "') is not one: set TMPDIR to a directory with room");
  }
  return dir;
}

// A new empty file in the temporary directory, for the copy.
std::string TemporaryFile() {
  fs::path dir = TemporaryDirectory();
  std::string path = (dir / "migrate-rehearsal-XXXXXX").string();
  int fd = ::mkstemp(path.data());
  if (fd < 0) {
    throw Error(ErrorCode::kIo,
                "cannot create a file in " + dir.string() +
                    " for the dry run's copy of the database: " + std::strerror(errno) +
                    " (set TMPDIR to a directory with room)");
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
      throw Error(ErrorCode::kIo, "cannot copy the database to " + path_ + " for the dry run: " +
                                      e.what() + " (set TMPDIR to a directory with room)");
    }
    driver_ = OpenSqlite({path_, tables, false, std::chrono::seconds(5), false, true});
    driver_->EnsureMetadata();
    lease_ = MakeLockRequest(std::chrono::hours(24));
    driver_->ForceUnlock();  // a copy of a lock another run holds on the original
    driver_->TryLock(lease_);
  }

  ~SqliteRehearsal() override {
    driver_.reset();
    Remove();
  }

  std::string WhyNotRehearsable(const Step&) const override { return ""; }

  Rehearsed Rehearse(const Step& step) override {
    auto t0 = std::chrono::steady_clock::now();
    try {
      return {driver_->Apply(step, lease_), ""};
    } catch (const Error& e) {
      std::string what = e.what();
      // The copy's authorizer: ATTACH says "not authorized", VACUUM INTO fails with SQLITE_AUTH.
      if (what.find("not authorized") != std::string::npos ||
          what.find("authorization denied") != std::string::npos) {
        return {MillisSince(t0),
                "it attaches a database file (ATTACH or VACUUM INTO), which a "
                "dry run would write outside its copy"};
      }
      if (what.find("disk is full") == std::string::npos) throw;
      throw Error(e.code(),
                  what + "\n(this is the dry run's copy in " + path_.substr(0, path_.rfind('/')) +
                      " running out of room, not the database: set TMPDIR to a directory with "
                      "room)",
                  e.where(), e.sqlstate());
    }
  }

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
