// The PostgreSQL ProgressProbe (progress.h): what one backend (the driver's session) is doing,
// read from pg_stat_activity, pg_stat_progress_create_index (PostgreSQL 12 and later),
// pg_locks and pg_blocking_pids() in one query, on a connection of the probe's own opened at
// its first Read. The query is a pure function of the pid and the server's version, so it can
// be read and tested alone.
#ifndef MIGRATE_DRIVERS_POSTGRES_POSTGRES_PROGRESS_H_
#define MIGRATE_DRIVERS_POSTGRES_POSTGRES_PROGRESS_H_

#include <memory>
#include <string>

#include "migrate/progress.h"
#include "sql_command.h"

namespace migrate::postgres {

// One row per session blocking `backend_pid` (one row with NULL blocker columns when none):
// state, wait_event_type, wait_event, phase, blocks_done, blocks_total, tuples_done,
// tuples_total, waiting_for, then the blocker's pid, held_s, query_start (ISO 8601 UTC) and
// state. Before PostgreSQL 12 (`server_version_num` below 120000) the index-build columns
// are NULL. No row when the backend is gone.
SqlCommand ProgressQuery(int backend_pid, int server_version_num);

// A probe of backend `backend_pid` through `url` (connected lazily, as application_name
// "migrate-progress", with a 2 s connect and statement timeout).
std::unique_ptr<ProgressProbe> OpenPostgresProbe(std::string url, int backend_pid,
                                                 int server_version_num);

}  // namespace migrate::postgres

#endif  // MIGRATE_DRIVERS_POSTGRES_POSTGRES_PROGRESS_H_
