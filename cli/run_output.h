// What `run` and `down` print: a line per migration as it completes (LineObserver; the live
// modes of live_output.h build on it) and the closing summary or --json summary line
// (ReportRun). A dry run says what it really did: which
// migrations were rehearsed on the target, how nothing of them remains, and which one it
// could not rehearse.
#ifndef MIGRATE_CLI_RUN_OUTPUT_H_
#define MIGRATE_CLI_RUN_OUTPUT_H_

#include <string>

#include "context.h"
#include "migrate/runner.h"

namespace migrate::cli {

// Whether run or down rehearses (--dry-run) instead of changing the database.
enum class DryRun { kNo, kYes };

class LineObserver final : public RunObserver {
 public:
  LineObserver(const Context& ctx, DryRun dry) : ctx_(ctx), dry_(dry) {}

  void OnLockWait(const LockHolder& h) override;
  void OnStepDone(const Step& step, long long ms) override;
  void OnSchemaDrift(const DriftReport& report) override;
  void OnWarning(const std::string& message) override;
  void OnNotice(const Finding& f) override;

 private:
  const Context& ctx_;
  DryRun dry_;
};

// What a run did. `dialect` is the driver's ("postgres", "sqlite"): a dry run says how it
// left the database unchanged, which differs between them.
struct RunOutcome {
  const RunResult& result;
  Direction direction;
  DryRun dry;
  std::string dialect;
  bool empty_database;  // a dry run on a SQLite file that does not exist yet
  long long ms;
};

// The closing summary: a text line, or with --json one line {"event": "summary", "ok": true,
// ...} after the run's events (live_output.h).
void ReportRun(const Context& ctx, const RunOutcome& outcome);

// With --json, a run or down that failed: its message on stderr, as main prints any error,
// and the last line of its events on stdout, {"event": "summary", "ok": false, "error":
// {"code", "exit", "message"}}.
void ReportRunFailure(const Error& error);

}  // namespace migrate::cli

#endif  // MIGRATE_CLI_RUN_OUTPUT_H_
