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
  if (url.empty()) url = GetEnvironmentVariable("DATABASE_URL").value_or("");
  bool from_config = false;
  if (url.empty()) {
    if (const EnvironmentConfig* env = Environment(); env && !env->url.empty()) {
      url = ExpandVariables(env->url, env->url_where, GetEnvironmentVariable);
      from_config = true;
    }
  }
  if (url.empty()) {
    url = "sqlite:migrate.db";
    from_config = true;
  }
  RegisterSecretsOf(url);  // a configured URL, once ${VAR} is expanded
  // A relative SQLite path written in config.toml is relative to that file's folder.
  std::string path = SqlitePathOfUrl(url);
  if (from_config && !path.empty() && path != ":memory:" && fs::path(path).is_relative()) {
    url = "sqlite:" + (config_.root / path).lexically_normal().string();
  }
  return url;
}

std::string Context::DevUrl(const std::string& flag) const {
  std::string dev_url = flag;
  if (const EnvironmentConfig* env = Environment(); dev_url.empty() && env) {
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
