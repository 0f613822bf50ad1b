#include "migrate/config.h"

#include <catch2/catch.hpp>

#include "support/temp_dir.h"

using namespace migrate;
using namespace migrate::testing;
using namespace std::chrono_literals;

namespace {

// LoadConfig's error for `text`; ParseConfig of the same text must give the same message.
Error LoadError(const std::string& text) {
  TempDir dir;
  WriteFile(dir / "config.toml", text);
  std::string parsed = "(no error)";
  try {
    ParseConfig(text, dir / "config.toml");
  } catch (const Error& e) {
    parsed = e.what();
  }
  try {
    LoadConfig(dir / "config.toml");
  } catch (const Error& e) {
    CHECK(parsed == e.what());
    return e;
  }
  FAIL("expected a config error for:\n" << text);
  return Error(ErrorCode::kInternal, "unreachable");
}

}  // namespace

TEST_CASE("a full config loads", "[unit]") {
  TempDir dir;
  WriteFile(dir / "config.toml",
            "[project]\nmigrations = [\"migrations\", \"plugins/*/migrations\"]\n"
            "dist = \"out/bundle\"\nhistory_table = \"ops.history\"\ndefault_env = \"prod\"\n"
            "dialects = [\"postgres\"]\n\n"
            "[environments.local]\nurl = \"sqlite:dev.db\"\n\n"
            "[environments.prod]\nurl = \"${DATABASE_URL}\"\nlock_timeout = \"5s\"\n"
            "statement_timeout = \"15min\"\nlock_wait = \"2min\"\nschema_drift = \"warn\"\n");
  Config c = LoadConfig(dir / "config.toml");
  CHECK(c.migrations.size() == 2);
  CHECK(c.dist == "out/bundle");
  CHECK(c.tables.history == "ops.history");
  CHECK(c.tables.lock == "migrate_lock");
  CHECK(c.default_env == "prod");
  CHECK(c.environments.at("prod").lock_timeout == 5000ms);
  CHECK(c.environments.at("prod").lock_wait == 120000ms);
  CHECK(c.environments.at("prod").schema_drift == SchemaDriftPolicy::kWarn);
  CHECK(EffectiveDialects(c) == std::vector<std::string>{"postgres"});
  c.dialects.clear();
  CHECK(EffectiveDialects(c) == std::vector<std::string>{"sqlite"});  // ${...} has no scheme
}

TEST_CASE("config errors carry file:line:column", "[unit]") {
  Error unknown = LoadError("[project]\nmigratons = \"x\"\n");
  CHECK(unknown.code() == ErrorCode::kConfig);
  CHECK(unknown.where().line == 2);
  CHECK(unknown.where().column == 1);
  CHECK_THAT(unknown.what(), Catch::Contains("unknown key 'migratons'"));

  Error syntax = LoadError("[project\n");
  CHECK(syntax.where().line == 1);

  Error type = LoadError("[project]\ndist = 3\n");
  CHECK(type.where().line == 2);
  CHECK_THAT(type.what(), Catch::Contains("'dist' must be a string"));

  Error duration = LoadError("[environments.x]\nurl = \"sqlite:a\"\nlock_timeout = \"soon\"\n");
  CHECK(duration.where().line == 3);

  Error table = LoadError("[project]\nhistory_table = 'x\"; DROP TABLE users; --'\n");
  CHECK_THAT(table.what(), Catch::Contains("is not allowed"));

  Error dialect = LoadError("[project]\ndialects = [\"mysql\"]\n");
  CHECK_THAT(dialect.what(), Catch::Contains("unknown dialect"));

  Error env = LoadError("[project]\ndefault_env = \"prod\"\n");
  CHECK_THAT(env.what(), Catch::Contains("default_env 'prod'"));

  Error rule = LoadError("[lint]\nrequire-concurent-index = \"off\"\n");
  CHECK(rule.where().line == 2);
  CHECK_THAT(rule.what(), Catch::Contains("unknown lint rule"));
  Error level = LoadError("[lint]\ndropping-table = \"fatal\"\n");
  CHECK_THAT(level.what(), Catch::Contains("\"error\", \"warning\" or \"off\""));

  Error drift = LoadError("[environments.x]\nschema_drift = \"ignore\"\n");
  CHECK(drift.where().line == 2);
  Error order = LoadError("[environments.x]\nout_of_order = \"sometimes\"\n");
  CHECK(order.where().line == 2);
  CHECK_THAT(order.what(), Catch::Contains("\"allow\" or \"refuse\""));

  Error same = LoadError("[project]\nhistory_table = \"ops.t\"\nlog_table = \"ops.t\"\n");
  CHECK(same.code() == ErrorCode::kConfig);
  CHECK_THAT(same.what(), Catch::Contains("both named 'ops.t'"));
}

TEST_CASE("${VAR} expands from the environment, and a missing one says where", "[unit]") {
  EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "HOST") return "db.internal";
    return std::nullopt;
  };
  SourceLocation where{"config.toml", 7, 7};
  CHECK(ExpandVariables("postgres://app@${HOST}/shop", where, env) ==
        "postgres://app@db.internal/shop");
  CHECK_THROWS_WITH(ExpandVariables("postgres://${HOST/db", where, env),
                    Catch::Contains("'${' without a closing '}'"));
  try {
    ExpandVariables("${DATABASE_URL}", where, env);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kConfig);
    CHECK_THAT(e.what(), Catch::StartsWith("config.toml:7:7") && Catch::Contains("DATABASE_URL"));
  }
}

TEST_CASE("source globs expand in sorted order relative to the config", "[unit]") {
  TempDir dir;
  WriteFile(dir / "plugins/zeta/migrations/.keep", "");
  WriteFile(dir / "plugins/alpha/migrations/.keep", "");
  WriteFile(dir / "plugins/no-migrations/.keep", "");
  Config c = DefaultConfig(dir.path());
  c.migrations = {"migrations", "plugins/*/migrations"};
  auto dirs = ResolveSources(c);
  REQUIRE(dirs.size() == 3);
  CHECK(dirs[0].label == "migrations");
  CHECK(dirs[1].label == "plugins/alpha/migrations");
  CHECK(dirs[2].label == "plugins/zeta/migrations");
}

TEST_CASE("table names are validated", "[unit]") {
  CHECK_NOTHROW(QualifiedName("migrate_history"));
  CHECK_NOTHROW(QualifiedName("ops.history"));
  CHECK_THROWS(QualifiedName(""));
  CHECK_THROWS(QualifiedName("1abc"));
  CHECK_THROWS(QualifiedName("a.b.c"));
  CHECK_THROWS(QualifiedName(std::string(64, 'a')));
  CHECK_THROWS(QualifiedName("x\"; DROP TABLE t; --"));
}

TEST_CASE("postgres_version is project-wide, per environment overridable, and validated",
          "[unit]") {
  TempDir dir;
  WriteFile(dir / "config.toml",
            "[project]\npostgres_version = 16\n\n"
            "[environments.local]\nurl = \"postgres://localhost/dev\"\n\n"
            "[environments.prod]\nurl = \"postgres://db/prod\"\npostgres_version = 17\n");
  Config c = LoadConfig(dir / "config.toml");
  CHECK(c.postgres_version == 16);
  CHECK(PostgresVersionOf(c, &c.environments.at("local")) == 16);
  CHECK(PostgresVersionOf(c, &c.environments.at("prod")) == 17);
  CHECK(PostgresVersionOf(c, nullptr) == 16);
  CHECK(BuildPostgresVersion(c) == 17);  // one bundle serves the newest target
  CHECK(MakeLintSettings(c).postgres_version == 17);
  CHECK(DefaultConfig(dir.path()).postgres_version == 15);
  CHECK(BuildPostgresVersion(DefaultConfig(dir.path())) == 15);

  Error low = LoadError("[project]\n\npostgres_version = 9\n");
  CHECK(low.code() == ErrorCode::kConfig);
  CHECK(low.where().line == 3);
  CHECK(low.where().column == 20);
  CHECK_THAT(low.what(),
             Catch::Contains("config.toml:3:20") && Catch::Contains("from 10 to 99, got 9"));
  Error high = LoadError("[environments.prod]\npostgres_version = 170\n");
  CHECK(high.where().line == 2);
  CHECK_THAT(high.what(), Catch::Contains("got 170"));
  Error text = LoadError("[project]\npostgres_version = \"17\"\n");
  CHECK(text.where().line == 2);
  CHECK_THAT(text.what(), Catch::Contains("'postgres_version' must be a PostgreSQL major version, "
                                          "a number such as 17"));
  Error fraction = LoadError("[project]\npostgres_version = 17.1\n");
  CHECK_THAT(fraction.what(), Catch::Contains("a number such as 17"));
}

TEST_CASE("migrate's tables: one table under two keys, reserved names, schemas on SQLite",
          "[unit]") {
  // The same table in other letters, or with and without its schema, is still one table.
  for (const char* project : {"history_table = \"MIGRATE_LOG\"\n",
                              "history_table = \"public.hist\"\nlog_table = \"hist\"\n"
                              "dialects = [\"postgres\"]\n"}) {
    Error e = LoadError(std::string("[project]\n") + project);
    CHECK(e.code() == ErrorCode::kConfig);
    CHECK_THAT(e.what(), Catch::Contains("must differ"));
  }
  for (const char* name : {"sqlite_master", "pg_class", "pg_catalog.history", "SQLITE_x",
                           "information_schema.history"}) {
    Error e = LoadError(std::string("[project]\ndialects = [\"postgres\"]\nhistory_table = \"") +
                        name + "\"\n");
    CHECK(e.code() == ErrorCode::kConfig);
    CHECK_THAT(e.what(), Catch::Contains("config.toml:3:") && Catch::Contains("reserves"));
  }
  Error schema = LoadError("[project]\nhistory_table = \"public.hist\"\n");  // SQLite by default
  CHECK(schema.code() == ErrorCode::kConfig);
  CHECK_THAT(schema.what(), Catch::Contains("which SQLite (a target of this project) does not"));
  TempDir dir;
  WriteFile(dir / "config.toml",
            "[project]\ndialects = [\"postgres\"]\nhistory_table = \"ops.history\"\n");
  CHECK(LoadConfig(dir / "config.toml").tables.history.ToString() == "ops.history");
}
