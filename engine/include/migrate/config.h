// Project configuration (docs/design.md §9): `config.toml`, every key optional, unknown keys and
// bad values rejected with file:line:column. Folder paths are relative to the config file's folder.
// `${VAR}` in a URL is read from the environment when that environment is used. Precedence, applied
// by the CLI: flags > environment variables > config > defaults.
#ifndef MIGRATE_CONFIG_H_
#define MIGRATE_CONFIG_H_

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migrate/drift.h"
#include "migrate/lint.h"
#include "migrate/migration_set.h"
#include "migrate/records.h"

namespace migrate {

struct EnvironmentConfig {
  std::string name;
  std::string url;  // as written, before ${VAR} expansion
  SourceLocation url_where;
  std::optional<std::chrono::milliseconds> lock_timeout;       // PostgreSQL lock_timeout
  std::optional<std::chrono::milliseconds> statement_timeout;  // PostgreSQL statement_timeout
  std::optional<std::chrono::milliseconds> lock_wait;  // how long to wait for the migrate lock
  std::optional<std::chrono::milliseconds> lease;      // how long a lock lease lasts
  // What run and down do when the live schema is not the last snapshot's.
  SchemaDriftPolicy schema_drift = SchemaDriftPolicy::kFail;
  bool allow_out_of_order = false;  // out_of_order = "allow": run older pending migrations
  bool single_transaction = false;  // transaction = "single": `run` is all or nothing
  std::string dev_url;              // a PostgreSQL server for scratch databases (baseline --check)
  std::optional<int> postgres_version;  // overrides [project] postgres_version
};

struct Config {
  std::filesystem::path file;                         // empty when no config file was read
  std::filesystem::path root;                         // relative paths start here
  std::vector<std::string> migrations{"migrations"};  // folders or globs
  std::string dist = "dist/migrations";
  std::string schema = "schema";  // the declared schema `migrate diff` compares with
  TableNames tables;
  std::string default_env;
  std::vector<std::string> dialects;  // empty: derived from the environments' URLs
  std::map<std::string, EnvironmentConfig> environments;
  std::map<std::string, std::string> lint;  // [lint]: rule id → "error" | "warning" | "off"
  // The PostgreSQL major version the migrations are written for (docs/design.md §2).
  int postgres_version = kDefaultPostgresVersion;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// Reads `file`. Throws Error(kConfig) with file:line:column for bad TOML, unknown keys,
// wrong types, bad durations, bad table names and unknown dialects.
Config LoadConfig(const std::filesystem::path& file);

// LoadConfig of text already read: `file` names it in messages and roots relative paths.
// (The config fuzz target's entry point: it reads no file.)
Config ParseConfig(std::string_view text, const std::filesystem::path& file);

// Refuses (Error kConfig at `where`) a password written literally in `written` (a URL as in
// config.toml, before ${VAR} expansion; `what` names it) when config.file can be read by its
// group or others, as libpq refuses such a .pgpass. A password from ${VAR} is never refused.
void RequirePrivatePassword(const Config& config, const std::string& written,
                            const SourceLocation& where, const std::string& what);

// The configuration used when there is no config file: everything default, rooted at `root`.
Config DefaultConfig(const std::filesystem::path& root);

// Expands ${VAR} in `text`. Throws Error(kConfig) at `where` naming a variable that is unset.
std::string ExpandVariables(const std::string& text, const SourceLocation& where,
                            const EnvLookup& lookup);

// The source folders: each entry of `migrations`, globs expanded (sorted), relative to root.
std::vector<SourceDir> ResolveSources(const Config& config);

// The dialect of a database URL ("postgres" for postgres:// and postgresql://, "sqlite" for
// sqlite:), or empty when unknown.
std::string DialectOfUrl(const std::string& url);

// The dialects a build validates: [project] dialects, else the dialects of the environments'
// URLs, else sqlite.
std::vector<std::string> EffectiveDialects(const Config& config);

// The PostgreSQL version `env` targets: its postgres_version, else the project's.
int PostgresVersionOf(const Config& config, const EnvironmentConfig* env);

// The PostgreSQL version a build accepts the syntax of: the newest of the project's and every
// environment's postgres_version, since one bundle serves them all.
int BuildPostgresVersion(const Config& config);

// Lint settings from [lint] and the environments (lock_timeout set everywhere, the
// postgres_version of the build).
LintSettings MakeLintSettings(const Config& config);

// The OS environment, for EnvLookup.
std::optional<std::string> GetEnvironmentVariable(const std::string& name);

}  // namespace migrate

#endif  // MIGRATE_CONFIG_H_
