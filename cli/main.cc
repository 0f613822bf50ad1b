// migrate: applies plain-SQL migrations to PostgreSQL and SQLite. See README.md.
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "migrate/manifest.h"
#include "migrate/redact.h"
#include "registry.h"
#include "signals.h"
#include "style.h"

namespace {

int Fail(const migrate::cli::GlobalOptions& globals, const migrate::Error& e,
         const std::string& message) {
  std::cerr << migrate::cli::Paint(std::cerr, migrate::cli::Tone::kError, "migrate:") << " "
            << message << "\n";
  if (globals.json) {
    std::cout << nlohmann::json{{"ok", false},
                                {"error",
                                 {{"code", migrate::ErrorCodeName(e.code())},
                                  {"exit", migrate::ExitCodeFor(e.code())},
                                  {"message", message}}}}
                     .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
  }
  return migrate::ExitCodeFor(e.code());
}

// The command's work is done (or failed and was reported); what it printed on a standard
// output that was closed is lost, which is said on stderr and changes no exit code.
int AfterOutput(int rc) {
  std::cout.flush();
  if (!std::cout.good()) {
    std::cerr << "migrate: note: standard output was closed, so some output was not printed; "
                 "the command ran to its end (exit "
              << rc << ")\n";
  }
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  using migrate::cli::GlobalOptions;
  migrate::cli::IgnoreLostOutput();
  CLI::App app{"migrate: plain-SQL migrations for PostgreSQL and SQLite"};
  app.set_version_flag("--version", [] {
    return std::string("migrate ") + MIGRATE_VERSION + "\nmanifest format " +
           std::to_string(migrate::kManifestFormat) + " (the bundles it reads and writes)\n" +
           migrate::LibraryVersions();
  });
  app.require_subcommand(1);
  GlobalOptions globals;
  app.add_option("--config", globals.config_path, "Config file (default: ./config.toml)");
  app.add_option("--env", globals.env, "Environment from config.toml (or MIGRATE_ENV)");
  app.add_option("--database", globals.database, "Database URL (or DATABASE_URL)");
  app.add_option("--lock-wait", globals.lock_wait, "How long to wait for the lock, e.g. 30s");
  app.add_flag("--json", globals.json, "Machine-readable output");
  app.add_flag("--quiet,-q", globals.quiet, "Print errors only");
  app.add_flag("--no-color", globals.no_color, "No colours (also NO_COLOR)");
  app.fallthrough();

  migrate::cli::Action action;
  migrate::cli::RegisterBuildCommands(app, globals, action);
  migrate::cli::RegisterPlanCommand(app, globals, action);
  migrate::cli::RegisterRunCommands(app, globals, action);
  migrate::cli::RegisterSchemaCommands(app, globals, action);
  migrate::cli::RegisterVerifyCommand(app, globals, action);
  migrate::cli::RegisterImportCommand(app, globals, action);
  migrate::cli::RegisterDiffCommands(app, globals, action);
  migrate::cli::RegisterCompleteCommand(app, globals, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : migrate::ExitCodeFor(migrate::ErrorCode::kUsage);
  }
  migrate::cli::ConfigureColor(globals.no_color);
  try {
    action();
    return AfterOutput(0);
  } catch (const migrate::cli::Reported& e) {
    return AfterOutput(migrate::ExitCodeFor(e.code()));
  } catch (const migrate::Error& e) {
    return AfterOutput(Fail(globals, e, migrate::Redact(e.what())));
  } catch (const std::exception& e) {
    migrate::Error internal(migrate::ErrorCode::kInternal, e.what());
    return AfterOutput(Fail(globals, internal, migrate::Redact(e.what())));
  }
}
