// The PostgreSQL Rehearsal (driver.h): every step in one transaction on the target's session,
// rolled back when the rehearsal ends, so each step sees the ones before it and nothing
// remains — except what PostgreSQL never rolls back (sequence values drawn by nextval). DDL
// locks are held until the end; each step's lock_timeout and statement_timeout apply to it.
// Migrate's own tables are neither read nor written.
#ifndef MIGRATE_DRIVERS_POSTGRES_POSTGRES_REHEARSAL_H_
#define MIGRATE_DRIVERS_POSTGRES_POSTGRES_REHEARSAL_H_

#include <memory>

#include "migrate/driver.h"
#include "postgres/postgres_session.h"
#include "postgres/postgres_steps.h"

namespace migrate::postgres {

// Opens the transaction. REQUIRES: none is open on `session`; both outlive the rehearsal.
std::unique_ptr<Rehearsal> BeginPostgresRehearsal(Session& session, LiveSteps& steps);

}  // namespace migrate::postgres

#endif  // MIGRATE_DRIVERS_POSTGRES_POSTGRES_REHEARSAL_H_
