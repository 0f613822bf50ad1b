// The drivers by name: opens a Driver from a database URL by its scheme (`sqlite:PATH`, also
// `sqlite://PATH` and `sqlite::memory:`; `postgres://` and `postgresql://`), and gives the
// build pipeline its Toolchain: each dialect, and a scratch database for the rehearsal.
// Adding a database means adding it here (and to kDialects in naming.h).
#ifndef MIGRATE_DRIVERS_REGISTRY_H_
#define MIGRATE_DRIVERS_REGISTRY_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "migrate/build.h"
#include "migrate/dialect.h"
#include "migrate/driver.h"

namespace migrate {

// What OpenDriver does when a SQLite file does not exist.
enum class CreateFile { kYes, kNo };

struct DriverOptions {
  TableNames tables;
  CreateFile create = CreateFile::kYes;  // SQLite: create the database file when missing
  // SQLite: how long a statement waits for another connection's lock before it fails with
  // Error(kLockTimeout); the CLI sets the run's lock wait.
  std::chrono::milliseconds busy_timeout{std::chrono::seconds(5)};
  bool read_only = false;  // SQLite: open the file read-only (a dry run's source)
};

// Opens `url`. Throws Error(kUsage) for an unknown scheme, Error(kConnection) when the
// database cannot be opened. Messages never contain the URL's password.
std::unique_ptr<Driver> OpenDriver(const std::string& url, const DriverOptions& options);

// An empty database of the kind of `url`, used by nobody else: SQLite in memory; PostgreSQL a
// temporary database on the server of `dev_url` (else `url`'s), dropped when the driver goes.
std::unique_ptr<Driver> OpenScratchLike(const std::string& url, const std::string& dev_url,
                                        const DriverOptions& options);

// The dialect named `name` ("sqlite", "postgres"), or nullptr.
const Dialect* FindDialect(std::string_view name);

// The build pipeline's toolchain: FindDialect, and for SQLite an in-memory scratch database.
const Toolchain& DriverToolchain();

// The libraries this binary runs with, one per line, for `migrate --version`: SQLite, libpq,
// libpqxx and libpg_query with the PostgreSQL grammar version it parses.
std::string LibraryVersions();

// For `sqlite:` URLs, the file path; empty for other schemes.
std::string SqlitePathOfUrl(const std::string& url);

}  // namespace migrate

#endif  // MIGRATE_DRIVERS_REGISTRY_H_
