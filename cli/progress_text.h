// The words and JSON events of live progress (docs/design.md §7), as pure functions: the one
// line a terminal shows of a running step, replaced in place, and the events `run --json` and
// `down --json` stream, one JSON document a line: "started", "progress", "done", "failed",
// then the run's "summary" (run_output.h).
#ifndef MIGRATE_CLI_PROGRESS_TEXT_H_
#define MIGRATE_CLI_PROGRESS_TEXT_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "migrate/apply.h"
#include "migrate/error.h"
#include "migrate/progress.h"
#include "progress_ticker.h"

namespace migrate::cli {

// "850 ms", "12.4 s", "3 min 05 s", "1 h 02 min".
std::string FormatElapsed(long long ms);

// What the database says the statement is doing, in words ("" when nothing worth saying):
// an index build's phase with its blocks and tuples ("building index: scanning table, blocks
// 1200 of 4425 (27%)"), the sessions holding a lock it waits for ("waiting for a lock held by
// pid 4242 for 38 s (idle in transaction; wants AccessExclusiveLock on t)"), else its wait
// event ("waiting: Timeout/PgSleep").
std::string DescribeProgress(const StatementProgress& p);

// The live line of a running step, without a newline, cut to at most `width` characters
// (code points) so that it never wraps onto a second line.
std::string LiveLine(const Tick& tick, bool dry_run, std::size_t width);

using Event = nlohmann::ordered_json;

Event StartedEvent(const Step& step);
// With "database": what the probe read last (null when there is no probe or no reading).
Event ProgressEvent(const Tick& tick);
Event DoneEvent(const Step& step, long long duration_ms);
// `error` as "error": code, exit, message (redacted), sqlstate and location when known.
Event FailedEvent(const Step& step, long long elapsed_ms, const Error& error);
// {"code", "exit", "message"} of `error`, its message redacted.
Event ErrorEvent(const Error& error);

// `event` on one line, ending with a newline.
std::string EventLine(const Event& event);

}  // namespace migrate::cli

#endif  // MIGRATE_CLI_PROGRESS_TEXT_H_
