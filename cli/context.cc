#include "context.h"

#include <filesystem>
#include <iostream>

#include "migrate/duration.h"
#include "migrate/redact.h"

namespace migrate::cli {
namespace fs = std::filesystem;
namespace {

std::ostream& NullStream() {
  static std::ostream null(nullptr);
  return null;
}

}  // namespace

Context::Context(const GlobalOptions& options) : options_(options) {
  RegisterSecretsOf(options.database);
  RegisterSecretsOf(GetEnvironmentVariable("DATABASE_URL").value_or(""));
  if (auto v = GetEnvironmentVariable("PGPASSWORD")) RegisterSecret(*v);
  if (!options.config_path.empty()) {
    config_ = LoadConfig(options.config_path);
  } else if (fs::exists("config.toml")) {
    config_ = LoadConfig("config.toml");
  } else {
    config_ = DefaultConfig(fs::current_path());
  }
  Environment();  // a misspelt --env or MIGRATE_ENV fails every command, first
}

const EnvironmentConfig* Context::Environment() const {
  std::string name = options_.env;
  if (name.empty()) name = GetEnvironmentVariable("MIGRATE_ENV").value_or("");
  if (name.empty()) name = config_.default_env;
  if (name.empty() && config_.environments.size() == 1) name = config_.environments.begin()->first;
  if (name.empty()) return nullptr;
  auto it = config_.environments.find(name);
  if (it == config_.environments.end()) {
    std::string known;
    for (const auto& [n, e] : config_.environments) known += (known.empty() ? "" : ", ") + n;
    throw Error(ErrorCode::kConfig,
                "no environment '" + name + "' in " +
                    (config_.file.empty() ? "the config" : config_.file.string()) +
                    (known.empty() ? "" : " (known: " + known + ")"));
  }
  return &it->second;
}

std::string Context::DatabaseUrl() const {
  std::string url = options_.database;
  std::optional<std::string> from_env = GetEnvironmentVariable("DATABASE_URL");
  if (url.empty() && from_env && from_env->find_first_not_of(" \t\r\n") == std::string::npos) {
    // An unpopulated secret in a deploy: never fall back to another database.
    throw Error(ErrorCode::kConfig,
                "DATABASE_URL is set but empty: set it to the database's URL, or unset it "
                "(or pass --database); nothing was run");
  }
  if (url.empty() && from_env) url = *from_env;
  bool from_config = false;
  if (url.empty()) url = ConfiguredUrl(from_config);
  RegisterSecretsOf(url);  // a configured URL, once ${VAR} is expanded
  // A relative SQLite path written in config.toml is relative to that file's folder.
  std::string path = SqlitePathOfUrl(url);
  if (from_config && !path.empty() && path != ":memory:" && fs::path(path).is_relative()) {
    url = "sqlite:" + (config_.root / path).lexically_normal().string();
  }
  return url;
}

std::string Context::ConfiguredUrl(bool& from_config) const {
  from_config = true;
  const EnvironmentConfig* env = Environment();
  if (env && !env->url.empty()) {
    RequirePrivatePassword(config_, env->url, env->url_where,
                           "the url of environment '" + env->name + "'");
    std::string url = ExpandVariables(env->url, env->url_where, GetEnvironmentVariable);
    if (url.find_first_not_of(" \t\r\n") == std::string::npos) {
      throw Error(ErrorCode::kConfig,
                  env->url_where.ToString() + ": the url of environment '" + env->name +
                      "' is empty once '" + env->url +
                      "' is expanded: set the variable, or pass --database; nothing was run",
                  env->url_where);
    }
    return url;
  }
  // The default database, sqlite:migrate.db, only when no URL is configured anywhere: a
  // project that names its databases never runs against a file nobody asked for.
  std::string named;
  for (const auto& [name, e] : config_.environments) {
    if (!e.url.empty()) named += (named.empty() ? "" : ", ") + name;
  }
  if (!named.empty()) {
    throw Error(ErrorCode::kConfig,
                std::string(env ? "the environment '" + env->name + "' has no url"
                                : "no environment is selected") +
                    " and no database was given, while " + config_.file.string() +
                    " names databases for: " + named +
                    ". Choose one with --env, MIGRATE_ENV or default_env, or pass --database");
  }
  return "sqlite:migrate.db";
}

std::string Context::DevUrl(const std::string& flag) const {
  std::string dev_url = flag;
  if (const EnvironmentConfig* env = Environment(); dev_url.empty() && env) {
    RequirePrivatePassword(config_, env->dev_url, env->url_where,
                           "the dev_url of environment '" + env->name + "'");
    dev_url = ExpandVariables(env->dev_url, env->url_where, GetEnvironmentVariable);
  }
  RegisterSecretsOf(dev_url);
  return dev_url;
}

std::unique_ptr<Driver> Context::OpenScratch(const std::string& dev_url_flag) const {
  std::string dev_url = DevUrl(dev_url_flag);
  if (!dev_url.empty() && (DialectOfUrl(dev_url) != kDialectPostgres ||
                           DialectOfUrl(DatabaseUrl()) != kDialectPostgres)) {
    throw Error(ErrorCode::kUsage,
                "the dev URL '" + RedactUrl(dev_url) +
                    "' is for PostgreSQL: a postgres:// server where migrate may create a "
                    "temporary database, for a PostgreSQL target. SQLite rehearses in memory");
  }
  DriverOptions options;
  options.tables = config_.tables;
  return OpenScratchLike(DatabaseUrl(), dev_url, options);
}

void Context::RegisterSecretsOf(const std::string& url) {
  for (const std::string& s : SecretsOfUrl(url)) RegisterSecret(s);
}

std::unique_ptr<Driver> Context::OpenDatabase(CreateFile create, bool read_only) const {
  DriverOptions driver_options;
  driver_options.tables = config_.tables;
  driver_options.create = create;
  driver_options.read_only = read_only;
  // SQLite: a statement waits for another connection's lock (a runner in a long migration,
  // sqlite3 in BEGIN EXCLUSIVE) as long as for the migration lock, then exits 5.
  driver_options.busy_timeout = MakeRunOptions().lock_wait;
  return OpenDriver(DatabaseUrl(), driver_options);
}

RunOptions Context::MakeRunOptions() const {
  RunOptions run;
  if (const EnvironmentConfig* env = Environment()) {
    run.lock_timeout = env->lock_timeout;
    run.statement_timeout = env->statement_timeout;
    if (env->lock_wait) run.lock_wait = *env->lock_wait;
    if (env->lease) run.lease = *env->lease;
    run.schema_drift = env->schema_drift;
    run.allow_out_of_order = env->allow_out_of_order;
    run.single_transaction = env->single_transaction;
  }
  run.postgres_version = PostgresVersionOf(config_, Environment());
  if (!options_.lock_wait.empty()) {
    auto d = ParseDuration(options_.lock_wait);
    if (!d) {
      throw Error(ErrorCode::kUsage, "--lock-wait needs a duration such as 30s or 5min, got '" +
                                         options_.lock_wait + "'");
    }
    run.lock_wait = *d;
  }
  return run;
}

std::ostream& Context::out() const { return options_.quiet ? NullStream() : std::cout; }

}  // namespace migrate::cli
