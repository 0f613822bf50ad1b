#include "migrate/config.h"

#include <glob.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "migrate/duration.h"
#include "migrate/lint.h"
#include "migrate/redact.h"

namespace migrate {
namespace fs = std::filesystem;
namespace {

struct Reader {
  std::string file;

  SourceLocation Where(const toml::source_region& r) const {
    return SourceLocation{file, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
  }

  [[noreturn]] void Fail(const toml::source_region& r, const std::string& message) const {
    throw Error(ErrorCode::kConfig, Where(r).ToString() + ": " + message, Where(r));
  }

  void OnlyKeys(const toml::table& t, const std::string& section,
                std::initializer_list<std::string_view> known) const {
    for (const auto& [key, node] : t) {
      if (std::find(known.begin(), known.end(), key.str()) != known.end()) continue;
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      Fail(key.source(),
           "unknown key '" + std::string(key.str()) + "' in " + section + " (known: " + list + ")");
    }
  }

  std::string String(const toml::node& n, std::string_view key) const {
    auto v = n.value<std::string>();
    if (!v || !n.is_string()) Fail(n.source(), "'" + std::string(key) + "' must be a string");
    return *v;
  }

  std::chrono::milliseconds Duration(const toml::node& n, std::string_view key) const {
    auto d = ParseDuration(String(n, key));
    if (!d)
      Fail(n.source(), "'" + std::string(key) + "' must be a duration such as \"5s\" or \"10min\"");
    return *d;
  }

  std::vector<std::string> StringList(const toml::node& n, std::string_view key) const {
    if (n.is_string()) return {String(n, key)};
    const toml::array* arr = n.as_array();
    if (!arr) Fail(n.source(), "'" + std::string(key) + "' must be a string or a list of strings");
    std::vector<std::string> out;
    for (const toml::node& item : *arr) out.push_back(String(item, key));
    return out;
  }

  // A PostgreSQL major version: an integer from 10 (the first of the two-part numbering) to 99.
  int PostgresVersion(const toml::node& n) const {
    std::optional<int64_t> v = n.value<int64_t>();
    if (!n.is_integer() || !v) {
      Fail(n.source(),
           "'postgres_version' must be a PostgreSQL major version, a number such as 17");
    }
    if (*v < 10 || *v > 99) {
      Fail(n.source(), "'postgres_version' must be a PostgreSQL major version from 10 to 99, got " +
                           std::to_string(*v));
    }
    return static_cast<int>(*v);
  }

  QualifiedName Table(const toml::node& n, std::string_view key) const {
    std::string name = String(n, key);
    QualifiedName q;
    try {
      q = QualifiedName(name);
    } catch (const Error& e) {
      Fail(n.source(), e.what());
    }
    std::string table = Lower(q.table());
    std::string schema = Lower(q.schema());
    if (table.rfind("sqlite_", 0) == 0 || table.rfind("pg_", 0) == 0 ||
        schema.rfind("pg_", 0) == 0 || schema == "information_schema") {
      Fail(n.source(), "'" + std::string(key) + "' = '" + name +
                           "' is a name the database reserves for itself (sqlite_*, pg_*, "
                           "information_schema): choose another, such as migrate_history");
    }
    return q;
  }

  static std::string Lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  // Whether `a` and `b` can be one table: names are compared without case (SQLite ignores it)
  // and a name without a schema may be in any (search_path, SQLite's main).
  static bool SameTable(const QualifiedName& a, const QualifiedName& b) {
    return Lower(a.table()) == Lower(b.table()) &&
           (a.schema().empty() || b.schema().empty() || Lower(a.schema()) == Lower(b.schema()));
  }

  void Project(const toml::table& t, Config& c) const {
    OnlyKeys(t, "[project]",
             {"migrations", "dist", "history_table", "lock_table", "schema_table", "log_table",
              "default_env", "dialects", "postgres_version", "schema"});
    if (auto* n = t.get("migrations")) c.migrations = StringList(*n, "migrations");
    if (auto* n = t.get("dist")) c.dist = String(*n, "dist");
    if (auto* n = t.get("schema")) c.schema = String(*n, "schema");
    if (auto* n = t.get("history_table")) c.tables.history = Table(*n, "history_table");
    if (auto* n = t.get("lock_table")) c.tables.lock = Table(*n, "lock_table");
    if (auto* n = t.get("schema_table")) c.tables.schema = Table(*n, "schema_table");
    if (auto* n = t.get("log_table")) c.tables.log = Table(*n, "log_table");
    auto all = c.tables.All();
    for (std::size_t i = 0; i < all.size(); ++i) {
      for (std::size_t j = i + 1; j < all.size(); ++j) {
        if (SameTable(*all[i], *all[j])) {
          Fail(t.source(), "two of migrate's tables are both named '" + all[i]->ToString() +
                               "': history_table, lock_table, log_table and schema_table must "
                               "differ");
        }
      }
    }
    if (auto* n = t.get("default_env")) c.default_env = String(*n, "default_env");
    if (auto* n = t.get("postgres_version")) c.postgres_version = PostgresVersion(*n);
    if (auto* n = t.get("dialects")) {
      c.dialects = StringList(*n, "dialects");
      for (const std::string& d : c.dialects) {
        if (!IsKnownDialect(d))
          Fail(n->source(), "unknown dialect '" + d + "' (" + KnownDialects() + ")");
      }
    }
  }

  EnvironmentConfig Environment(const std::string& name, const toml::node& node) const {
    const toml::table* t = node.as_table();
    if (!t) Fail(node.source(), "[environments." + name + "] must be a table");
    OnlyKeys(*t, "[environments." + name + "]",
             {"url", "lock_timeout", "statement_timeout", "lock_wait", "lease", "schema_drift",
              "out_of_order", "dev_url", "postgres_version", "transaction"});
    EnvironmentConfig env;
    env.name = name;
    if (auto* n = t->get("url")) {
      env.url = String(*n, "url");
      env.url_where = Where(n->source());
    }
    if (auto* n = t->get("lock_timeout")) env.lock_timeout = Duration(*n, "lock_timeout");
    if (auto* n = t->get("statement_timeout"))
      env.statement_timeout = Duration(*n, "statement_timeout");
    if (auto* n = t->get("lock_wait")) env.lock_wait = Duration(*n, "lock_wait");
    if (auto* n = t->get("lease")) env.lease = Duration(*n, "lease");
    if (auto* n = t->get("schema_drift")) {
      std::string policy = String(*n, "schema_drift");
      if (policy != "fail" && policy != "warn" && policy != "off") {
        Fail(n->source(), "'schema_drift' must be \"fail\", \"warn\" or \"off\"");
      }
      env.schema_drift = policy == "fail"   ? SchemaDriftPolicy::kFail
                         : policy == "warn" ? SchemaDriftPolicy::kWarn
                                            : SchemaDriftPolicy::kOff;
    }
    if (auto* n = t->get("out_of_order")) {
      std::string value = String(*n, "out_of_order");
      if (value != "allow" && value != "refuse") {
        Fail(n->source(), "'out_of_order' must be \"allow\" or \"refuse\"");
      }
      env.allow_out_of_order = value == "allow";
    }
    if (auto* n = t->get("transaction")) {
      std::string value = String(*n, "transaction");
      if (value != "single" && value != "each") {
        Fail(n->source(),
             "'transaction' must be \"each\" (one per migration, the default) or "
             "\"single\" (one for the whole run)");
      }
      env.single_transaction = value == "single";
    }
    if (auto* n = t->get("dev_url")) env.dev_url = String(*n, "dev_url");
    if (auto* n = t->get("postgres_version")) env.postgres_version = PostgresVersion(*n);
    return env;
  }
};

// SQLite has no schemas, only attached databases ("main" is the file itself): a table named
// `public.history` would fail at the first run.
void RefuseSchemasOnSqlite(const Config& c) {
  std::vector<std::string> dialects = EffectiveDialects(c);
  if (std::find(dialects.begin(), dialects.end(), kDialectSqlite) == dialects.end()) return;
  for (const QualifiedName* t : c.tables.All()) {
    if (t->schema().empty() || t->schema() == "main") continue;
    throw Error(ErrorCode::kConfig,
                c.file.string() + ": the table name '" + t->ToString() +
                    "' has a schema, which SQLite (a target of this project) does not have: "
                    "drop the '" +
                    t->schema() + ".' part, or write main." + t->table());
  }
}

[[noreturn]] void ThrowSyntax(const Reader& reader, const toml::parse_error& e) {
  SourceLocation where = reader.Where(e.source());
  throw Error(ErrorCode::kConfig, where.ToString() + ": " + std::string(e.description()), where);
}

Config ConfigFromToml(const toml::table& root, const fs::path& file) {
  Reader reader{file.string()};
  Config c = DefaultConfig(fs::absolute(file).parent_path());
  c.file = file;
  reader.OnlyKeys(root, "the config file", {"project", "environments", "lint"});
  if (auto* n = root.get("project")) {
    if (!n->is_table()) reader.Fail(n->source(), "[project] must be a table");
    reader.Project(*n->as_table(), c);
  }
  if (auto* n = root.get("environments")) {
    if (!n->is_table()) reader.Fail(n->source(), "[environments] must be a table");
    for (const auto& [key, env] : *n->as_table()) {
      c.environments[std::string(key.str())] = reader.Environment(std::string(key.str()), env);
    }
  }
  if (auto* n = root.get("lint")) {
    if (!n->is_table()) reader.Fail(n->source(), "[lint] must be a table");
    for (const auto& [key, value] : *n->as_table()) {
      std::string rule(key.str());
      if (!FindLintRule(rule)) {
        std::string known;
        for (const LintRule& r : LintRules())
          known += (known.empty() ? "" : ", ") + std::string(r.id);
        reader.Fail(key.source(), "unknown lint rule '" + rule + "' (known: " + known + ")");
      }
      std::string level = reader.String(value, rule);
      if (level != "error" && level != "warning" && level != "off") {
        reader.Fail(value.source(), "'" + rule + "' must be \"error\", \"warning\" or \"off\"");
      }
      c.lint[rule] = level;
    }
  }
  RefuseSchemasOnSqlite(c);
  if (!c.default_env.empty() && !c.environments.count(c.default_env)) {
    throw Error(ErrorCode::kConfig, file.string() + ": default_env '" + c.default_env +
                                        "' is not one of [environments]");
  }
  return c;
}

}  // namespace

Config DefaultConfig(const fs::path& root) {
  Config c;
  c.root = root;
  return c;
}

Config LoadConfig(const fs::path& file) {
  Reader reader{file.string()};
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    if (!fs::exists(file)) {
      throw Error(ErrorCode::kConfig, file.string() + ": no such config file");
    }
    ThrowSyntax(reader, e);
  }
  return ConfigFromToml(root, file);
}

Config ParseConfig(std::string_view text, const fs::path& file) {
  toml::table root;
  try {
    root = toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    ThrowSyntax(Reader{file.string()}, e);
  }
  return ConfigFromToml(root, file);
}

void RequirePrivatePassword(const Config& config, const std::string& written,
                            const SourceLocation& where, const std::string& what) {
  if (config.file.empty()) return;
  std::vector<std::string> secrets = SecretsOfUrl(written);
  bool literal = std::any_of(secrets.begin(), secrets.end(), [](const std::string& s) {
    return s.find("${") == std::string::npos;
  });
  std::error_code ec;
  auto perms = std::filesystem::status(config.file, ec).permissions();
  using P = std::filesystem::perms;
  if (!literal || ec || (perms & (P::group_read | P::others_read)) == P::none) return;
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(perms) & 07777);
  std::string file = config.file.filename().string();
  throw Error(ErrorCode::kConfig,
              where.ToString() + ": " + what + " holds a password, and " + file +
                  " can be read by its group or others (mode " + mode + "): run 'chmod 600 " +
                  file + "', or keep the password out of it (url = \"${DATABASE_URL}\", or " +
                  "PGPASSWORD, or ~/.pgpass); nothing was run",
              where);
}

std::string ExpandVariables(const std::string& text, const SourceLocation& where,
                            const EnvLookup& lookup) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t start = text.find("${", pos);
    if (start == std::string::npos) break;
    std::size_t end = text.find('}', start);
    if (end == std::string::npos) {
      throw Error(ErrorCode::kConfig, where.ToString() + ": '${' without a closing '}'", where);
    }
    out += text.substr(pos, start - pos);
    std::string name = text.substr(start + 2, end - start - 2);
    std::optional<std::string> value = lookup(name);
    if (!value) {
      throw Error(ErrorCode::kConfig,
                  where.ToString() + ": the environment variable " + name +
                      " is not set; export it or pass --database",
                  where);
    }
    out += *value;
    pos = end + 1;
  }
  return out + text.substr(std::min(pos, text.size()));
}

std::vector<SourceDir> ResolveSources(const Config& config) {
  std::vector<SourceDir> out;
  for (const std::string& pattern : config.migrations) {
    bool is_glob = pattern.find_first_of("*?[") != std::string::npos;
    if (!is_glob) {
      out.push_back({pattern, config.root / pattern});
      continue;
    }
    glob_t g{};
    std::string full = (config.root / pattern).string();
    if (::glob(full.c_str(), GLOB_ONLYDIR, nullptr, &g) == 0) {
      std::vector<std::string> matches(g.gl_pathv, g.gl_pathv + g.gl_pathc);
      std::sort(matches.begin(), matches.end());
      for (const std::string& m : matches) {
        out.push_back({fs::relative(m, config.root).string(), m});
      }
    }
    ::globfree(&g);
  }
  return out;
}

std::string DialectOfUrl(const std::string& url) {
  if (url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0) {
    return std::string(kDialectPostgres);
  }
  if (url.rfind("sqlite:", 0) == 0) return std::string(kDialectSqlite);
  return "";
}

std::vector<std::string> EffectiveDialects(const Config& config) {
  if (!config.dialects.empty()) return config.dialects;
  std::set<std::string> found;
  for (const auto& [name, env] : config.environments) {
    std::string d = DialectOfUrl(env.url);
    if (!d.empty()) found.insert(d);
  }
  if (found.empty()) return {std::string(kDialectSqlite)};
  // In the order of kDialects: a stable order for messages.
  std::vector<std::string> out;
  for (std::string_view d : kDialects) {
    if (found.count(std::string(d))) out.emplace_back(d);
  }
  return out;
}

int PostgresVersionOf(const Config& config, const EnvironmentConfig* env) {
  return env && env->postgres_version ? *env->postgres_version : config.postgres_version;
}

int BuildPostgresVersion(const Config& config) {
  int newest = config.postgres_version;
  for (const auto& [name, env] : config.environments) {
    newest = std::max(newest, env.postgres_version.value_or(newest));
  }
  return newest;
}

LintSettings MakeLintSettings(const Config& config) {
  LintSettings s;
  s.postgres_version = BuildPostgresVersion(config);
  for (const auto& [rule, level] : config.lint) {
    s.severity[rule] =
        level == "off"
            ? std::nullopt
            : std::optional<Severity>(level == "error" ? Severity::kError : Severity::kWarning);
  }
  s.lock_timeout_everywhere =
      !config.environments.empty() &&
      std::all_of(config.environments.begin(), config.environments.end(),
                  [](const auto& e) { return e.second.lock_timeout.has_value(); });
  return s;
}

std::optional<std::string> GetEnvironmentVariable(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (!v) return std::nullopt;
  return std::string(v);
}

}  // namespace migrate
