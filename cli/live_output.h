// What `run` and `down` show while a migration runs (docs/design.md §7), chosen once:
//   - --json: one JSON event a line on stdout (progress_text.h), "started" and "done" (or
//     "failed") for each migration and a "progress" event every second while one runs;
//   - stdout a terminal (and not --quiet): LineObserver's lines, and while a migration runs
//     one live line on stdout, redrawn in place 4 times a second (carriage return, clear
//     line), with its elapsed time and what the database says it is doing; the "applied"
//     line replaces it when it completes;
//   - otherwise LineObserver alone, as before: no thread, no probe, no extra work.
// The live modes read the driver's ProgressProbe (a connection of its own, opened only once
// a migration has run half a second on a terminal, a second with --json); a probe that fails
// is dropped with one note on stderr and the run goes on.
#ifndef MIGRATE_CLI_LIVE_OUTPUT_H_
#define MIGRATE_CLI_LIVE_OUTPUT_H_

#include <memory>

#include "context.h"
#include "run_output.h"

namespace migrate::cli {

std::unique_ptr<RunObserver> MakeRunObserver(const Context& ctx, DryRun dry, Driver& driver);

}  // namespace migrate::cli

#endif  // MIGRATE_CLI_LIVE_OUTPUT_H_
