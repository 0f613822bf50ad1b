// The command groups of the CLI. Each Register function adds its subcommands to `app`; the
// chosen subcommand stores what to do in `action`, which main runs and whose migrate::Error it
// turns into a message and an exit code.
#ifndef MIGRATE_CLI_COMMANDS_H_
#define MIGRATE_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <ctime>
#include <filesystem>
#include <functional>

#include "context.h"

namespace migrate::cli {

using Action = std::function<void()>;

// Thrown by a command that has printed its outcome already (its --json document): main exits
// with its code and prints nothing more.
class Reported : public Error {
 public:
  explicit Reported(ErrorCode code) : Error(code, "reported") {}
};

// A new migration's version: the UTC time `t` as YYYYMMDDHHMMSS.
std::string UtcStamp(std::time_t t);
// Whether a migration file in `dir` has `version` (compared as versions are).
bool VersionTaken(const std::filesystem::path& dir, const std::string& version);

// new, build
void RegisterBuildCommands(CLI::App& app, const GlobalOptions& globals, Action& action);
// plan
void RegisterPlanCommand(CLI::App& app, const GlobalOptions& globals, Action& action);
// run, down, status, repair, unlock
void RegisterRunCommands(CLI::App& app, const GlobalOptions& globals, Action& action);
// drift, baseline
void RegisterSchemaCommands(CLI::App& app, const GlobalOptions& globals, Action& action);

// diff, inspect
void RegisterDiffCommands(CLI::App& app, const GlobalOptions& globals, Action& action);

// import
void RegisterImportCommand(CLI::App& app, const GlobalOptions& globals, Action& action);
// __complete (hidden): environments and versions for the shell completions
void RegisterCompleteCommand(CLI::App& app, const GlobalOptions& globals, Action& action);

// verify
void RegisterVerifyCommand(CLI::App& app, const GlobalOptions& globals, Action& action);
// `build --verify-url URL`: verify of the bundle in dist/ on `url`: a PostgreSQL server (a
// temporary database is made there and dropped) or an empty SQLite database. Throws
// Error(kValidation) when a migration fails the check.
void VerifyBundleOn(const Context& ctx, const std::string& url);

}  // namespace migrate::cli

#endif  // MIGRATE_CLI_COMMANDS_H_
