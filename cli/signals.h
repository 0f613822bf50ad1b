// SIGINT and SIGTERM during a command: the first asks the run to stop after the migration in
// progress (so its transaction commits or rolls back whole and the lock is released); the
// second ends the process at once, as the default action would. A closed standard output (a
// dead log pipe, `migrate run | head -1`) or a dropped terminal (SIGHUP) must not kill a
// deploy half-way: SIGPIPE and SIGHUP are ignored, and failed writes only lose their lines.
#ifndef MIGRATE_CLI_SIGNALS_H_
#define MIGRATE_CLI_SIGNALS_H_

#include <atomic>

namespace migrate::cli {

// Installs the handlers; returns the flag they set.
const std::atomic<bool>* InstallStopSignals();

// Ignores SIGPIPE and SIGHUP, for every command, before anything is printed.
void IgnoreLostOutput();

}  // namespace migrate::cli

#endif  // MIGRATE_CLI_SIGNALS_H_
