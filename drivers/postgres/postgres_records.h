// How the PostgreSQL driver records what it does in migrate's tables: the history row, the
// audit log row and the lease on the lock row. A transactional step is recorded with one
// statement (data-modifying CTEs), so that a migration costs the round trips of its own SQL
// plus BEGIN, that statement and COMMIT: what one psql session applying it would spend.
#ifndef MIGRATE_DRIVERS_POSTGRES_POSTGRES_RECORDS_H_
#define MIGRATE_DRIVERS_POSTGRES_POSTGRES_RECORDS_H_

#include <pqxx/pqxx>
#include <string>

#include "migrate/driver.h"
#include "postgres/postgres_script.h"

namespace migrate::postgres {

// Checks that `lease` still holds the lock row and extends it. Throws Error(kLockLost).
void RenewLease(pqxx::transaction_base& tx, const MetadataNames& n, const LockRequest& lease);

// Appends one row to the log table.
void WriteLog(pqxx::transaction_base& tx, const MetadataNames& n, const std::string& event,
              const std::string& version, const std::string& slug, const std::string& checksum,
              long long ms, const std::string& detail, const LockRequest& lease);

// Writes the history row of `step`: inserted (or updated) as `started` or `applied` for an
// up step, deleted for a down step.
void WriteHistory(pqxx::transaction_base& tx, const MetadataNames& n, const Step& step,
                  const LockRequest& lease, long long ms, bool started);

// The history row of a finished step, its log row and the lease, in one statement and one
// round trip. Throws Error(kLockLost) when the lease was lost (the caller then rolls back).
void RecordStep(pqxx::transaction_base& tx, const MetadataNames& n, const Step& step,
                const LockRequest& lease, long long ms);

}  // namespace migrate::postgres

#endif  // MIGRATE_DRIVERS_POSTGRES_POSTGRES_RECORDS_H_
