#include "registry.h"

#include <libpq-fe.h>
#include <pg_query.h>
#include <sqlite3.h>

#include <pqxx/version>

#include "migrate/config.h"
#include "migrate/redact.h"
#include "postgres/postgres_driver.h"
#include "sqlite/sqlite_driver.h"

namespace migrate {
namespace {

class Drivers final : public Toolchain {
 public:
  const Dialect* FindDialect(std::string_view name) const override {
    return migrate::FindDialect(name);
  }

  std::unique_ptr<Driver> OpenScratch(std::string_view dialect) const override {
    if (dialect != kDialectSqlite) return nullptr;  // PostgreSQL needs a server (--dev-url)
    return OpenDriver("sqlite::memory:", DriverOptions{});
  }
};

}  // namespace

std::string LibraryVersions() {
  int libpq = PQlibVersion();  // e.g. 150018; 90624 before PostgreSQL 10
  std::string pq = libpq >= 100000
                       ? std::to_string(libpq / 10000) + "." + std::to_string(libpq % 10000)
                       : std::to_string(libpq / 10000) + "." + std::to_string(libpq / 100 % 100) +
                             "." + std::to_string(libpq % 100);
  std::string sqlite = sqlite3_libversion();
  std::string built = SQLITE_VERSION;
  return "SQLite " + sqlite + (sqlite == built ? "" : " (built with " + built + ")") + "\nlibpq " +
         pq + "\nlibpqxx " + PQXX_VERSION + "\nlibpg_query with the PostgreSQL " + PG_VERSION +
         " grammar (for newer servers: postgres_version in config.toml)";
}

std::string SqlitePathOfUrl(const std::string& url) {
  if (url.rfind("sqlite:", 0) != 0) return "";
  std::string path = url.substr(7);
  if (path.rfind("//", 0) == 0) path = path.substr(2);
  return path;
}

std::unique_ptr<Driver> OpenDriver(const std::string& url, const DriverOptions& options) {
  std::string dialect = DialectOfUrl(url);
  if (dialect == kDialectSqlite) {
    std::string path = SqlitePathOfUrl(url);
    if (path.empty()) {
      throw Error(ErrorCode::kUsage, "'" + url + "' names no file: write sqlite:path/to/file.db");
    }
    return sqlite::OpenSqlite({path, options.tables, options.create == CreateFile::kYes,
                               options.busy_timeout, options.read_only, false});
  }
  if (dialect == kDialectPostgres) {
    return postgres::OpenPostgres({url, options.tables});
  }
  throw Error(ErrorCode::kUsage, "unknown database URL '" + RedactUrl(url) +
                                     "': use sqlite:PATH or postgres://user@host/db");
}

std::unique_ptr<Driver> OpenScratchLike(const std::string& url, const std::string& dev_url,
                                        const DriverOptions& options) {
  if (DialectOfUrl(url) == kDialectPostgres) {
    return postgres::OpenTemporaryPostgres(dev_url.empty() ? url : dev_url, options.tables);
  }
  return OpenDriver("sqlite::memory:", options);
}

const Dialect* FindDialect(std::string_view name) {
  if (name == kDialectSqlite) return &sqlite::SqliteDialect();
  if (name == kDialectPostgres) return &postgres::PostgresDialect();
  return nullptr;
}

const Toolchain& DriverToolchain() {
  static const Drivers kDrivers;
  return kDrivers;
}

}  // namespace migrate
