// What every command needs, resolved once from flags, environment variables and config.toml
// with the precedence flags > environment > config > defaults. The Context is also the one
// place that registers secrets for redaction (redact.h): every password that can reach this
// process — in --database, DATABASE_URL, PGPASSWORD or a configured URL — is registered here
// before anything can print it.
#ifndef MIGRATE_CLI_CONTEXT_H_
#define MIGRATE_CLI_CONTEXT_H_

#include <chrono>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "migrate/config.h"
#include "migrate/driver.h"
#include "migrate/runner.h"
#include "migrate/stopwatch.h"
#include "registry.h"

namespace migrate::cli {

struct GlobalOptions {
  std::string config_path;
  std::string env;
  std::string database;
  std::string lock_wait;
  bool json = false;
  bool quiet = false;
  bool no_color = false;
};

class Context {
 public:
  // Loads the config. Throws Error(kConfig).
  explicit Context(const GlobalOptions& options);

  const Config& config() const { return config_; }
  const GlobalOptions& options() const { return options_; }
  std::filesystem::path DistPath() const { return config_.root / config_.dist; }

  // The database URL for this run (flags > DATABASE_URL > environment's url > sqlite default).
  // Throws Error(kConfig) for an unset ${VAR}, a DATABASE_URL set but empty, a configured url
  // that expands to nothing, and when the config names databases but none is chosen: the
  // default, sqlite:migrate.db, is used only when no URL is configured anywhere.
  std::string DatabaseUrl() const;

  // Opens the driver for DatabaseUrl(); `create` says whether SQLite may create the file,
  // `read_only` whether it opens it read-only (a dry run's source).
  std::unique_ptr<Driver> OpenDatabase(CreateFile create, bool read_only = false) const;

  // `flag` (--dev-url) when given, else the selected environment's dev_url expanded, else "".
  std::string DevUrl(const std::string& flag) const;

  // An empty database of the same kind as DatabaseUrl()'s, for baseline --check: SQLite in
  // memory; PostgreSQL a temporary database (dropped when the driver goes) on the server of
  // `dev_url` (a flag), else the environment's dev_url, else the database's own server.
  std::unique_ptr<Driver> OpenScratch(const std::string& dev_url) const;

  // Run options from the selected environment and flags.
  RunOptions MakeRunOptions() const;

  // Where human output goes (stdout; nothing with --quiet).
  std::ostream& out() const;

 private:
  const EnvironmentConfig* Environment() const;
  // The selected environment's url expanded, else the default when no environment has one.
  std::string ConfiguredUrl(bool& from_config) const;
  // Registers the passwords in `url` (userinfo and password= parameters).
  static void RegisterSecretsOf(const std::string& url);

  GlobalOptions options_;
  Config config_;
};

}  // namespace migrate::cli

#endif  // MIGRATE_CLI_CONTEXT_H_
