// The command groups of the CLI. Each Register function adds its subcommands to `app`; the
// chosen subcommand stores what to do in `action`, which main runs and whose migrate::Error it
// turns into a message and an exit code.
#ifndef MIGRATE_CLI_COMMANDS_H_
#define MIGRATE_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>

#include "context.h"

namespace migrate::cli {

using Action = std::function<void()>;

// new, build
void RegisterBuildCommands(CLI::App& app, const GlobalOptions& globals, Action& action);
// plan
void RegisterPlanCommand(CLI::App& app, const GlobalOptions& globals, Action& action);
// run, down, status, repair, unlock
void RegisterRunCommands(CLI::App& app, const GlobalOptions& globals, Action& action);

}  // namespace migrate::cli

#endif  // MIGRATE_CLI_COMMANDS_H_
