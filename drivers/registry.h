// Opens a Driver from a database URL, by scheme: `sqlite:PATH` (also `sqlite://PATH`,
// `sqlite::memory:`) and PostgreSQL (`postgres://`, `postgresql://`).
// Also finds the Dialect that splits files for a dialect name.
#ifndef MIGRATE_DRIVERS_REGISTRY_H_
#define MIGRATE_DRIVERS_REGISTRY_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "migrate/dialect.h"
#include "migrate/driver.h"

namespace migrate {

struct DriverOptions {
  TableNames tables;
  bool create = true;  // SQLite: create the database file when missing
  std::chrono::milliseconds busy_timeout{std::chrono::seconds(5)};
};

// Opens `url`. Throws Error(kUsage) for an unknown scheme, Error(kConnection) when the
// database cannot be opened. Messages never contain the URL's password.
std::unique_ptr<Driver> OpenDriver(const std::string& url, const DriverOptions& options);

// The dialect named `name` ("sqlite", "postgres"), or nullptr.
const Dialect* FindDialect(std::string_view name);

// For `sqlite:` URLs, the file path; empty for other schemes.
std::string SqlitePathOfUrl(const std::string& url);

}  // namespace migrate

#endif  // MIGRATE_DRIVERS_REGISTRY_H_
