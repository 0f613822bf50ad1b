// How the PostgreSQL driver records what it does in migrate's tables: the history row, the
// audit log row and the lease on the lock row. A transactional step is recorded with one
// statement (data-modifying CTEs), so that a migration costs the round trips of its own SQL
// plus BEGIN, that statement and COMMIT: what one psql session applying it would spend.
#ifndef MIGRATE_DRIVERS_POSTGRES_POSTGRES_RECORDS_H_
#define MIGRATE_DRIVERS_POSTGRES_POSTGRES_RECORDS_H_

#include <chrono>
#include <pqxx/pqxx>
#include <string>

#include "migrate/driver.h"
#include "postgres/postgres_script.h"

namespace migrate::postgres {

// A lease as the seconds make_interval() takes.
std::string LeaseSeconds(std::chrono::milliseconds lease);

// Checks that `lease` still holds the lock row and extends it. Throws Error(kLockLost).
void RenewLease(pqxx::transaction_base& tx, const MetadataNames& n, const LockRequest& lease);

// Appends one row to the log table.
void WriteLog(pqxx::transaction_base& tx, const MetadataNames& n, const std::string& event,
              const std::string& version, const std::string& slug, const std::string& checksum,
              long long ms, const std::string& detail, const LockRequest& lease);

// Inserts (or resets) the history row of an up step that is about to run without a
// transaction, as `started` at `step.resume_from` statements.
void WriteStarted(pqxx::transaction_base& tx, const MetadataNames& n, const Step& step,
                  const LockRequest& lease);

// The history row of a finished step, its log row and the lease, in one statement and one
// round trip. Throws Error(kLockLost) when the lease was lost (the caller then rolls back).
void RecordStep(pqxx::transaction_base& tx, const MetadataNames& n, const Step& step,
                const LockRequest& lease, long long ms);

}  // namespace migrate::postgres

#endif  // MIGRATE_DRIVERS_POSTGRES_POSTGRES_RECORDS_H_
