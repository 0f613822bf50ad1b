// A ProgressProbe reports what the statement a driver's session is running is doing now, read
// by another thread while the step runs: an index build's phase and the blocks and tuples done,
// or what the statement waits for (a wait event, a lock and the sessions holding it). It is
// what `run` shows live on a terminal and streams with --json (docs/design.md §7). A probe
// only reads the database's own views of its sessions, on a connection of its own: it never
// writes, never takes a lock a migration could wait for, and nothing of the run depends on it.
#ifndef MIGRATE_PROGRESS_H_
#define MIGRATE_PROGRESS_H_

#include <string>
#include <vector>

namespace migrate {

// A session that holds a lock the probed statement waits for.
struct Blocker {
  int pid = 0;
  // Seconds since the blocker's transaction began (its query's start outside a transaction):
  // how long it may have held the lock; -1 when the database does not show it (another
  // role's session, without pg_read_all_stats).
  long long held_s = -1;
  std::string query_start;  // ISO 8601 UTC; "" when not shown
  std::string state;        // "active", "idle in transaction"...; "" when not shown
};

// What the probed session is doing, as the database reports it; empty fields are unknown.
struct StatementProgress {
  std::string state;  // "active", "idle"...
  // An index build (CREATE INDEX [CONCURRENTLY], REINDEX): its phase, e.g. "building index:
  // scanning table", and the counts of that phase; -1 when the phase has none.
  std::string phase;
  long long blocks_done = -1;
  long long blocks_total = -1;
  long long tuples_done = -1;
  long long tuples_total = -1;
  std::string wait_event_type;  // e.g. "Lock"
  std::string wait_event;       // e.g. "relation"
  std::string waiting_for;      // the lock not granted, e.g. "AccessExclusiveLock on t"
  std::vector<Blocker> blockers;
};

class ProgressProbe {
 public:
  // Closes the probe's connection, if it opened one. Never throws.
  virtual ~ProgressProbe() = default;
  // What the probed session is doing now. Opens the probe's own connection on the first call
  // (the session's URL, with a short statement_timeout), so a run whose steps are all quick
  // never connects. Never writes. Throws Error(kConnection) when it cannot connect or read,
  // never with a password in the message. Called from one thread (not the driver's).
  virtual StatementProgress Read() = 0;
};

}  // namespace migrate

#endif  // MIGRATE_PROGRESS_H_
