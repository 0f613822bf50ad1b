// A rehearsal runs a validated migration set on a scratch database of one dialect (for
// SQLite, an in-memory database at build time): every up in order; then every down in
// reverse (down to the newest irreversible migration), checking that the schema is then what
// it was before; then those ups again, checking that the schema ends as it did the first
// time. Each difference is named and blamed on the down of the newest migration whose up
// names that object. Time and memory are linear in the size of the set.
#ifndef MIGRATE_REHEARSAL_H_
#define MIGRATE_REHEARSAL_H_

#include <string>
#include <vector>

#include "migrate/catalog_diff.h"
#include "migrate/driver.h"
#include "migrate/migration_set.h"

namespace migrate {

// REQUIRES: `scratch` is an empty database used by nobody else; `set` loaded without errors.
// Returns the problems found (empty when the chain round-trips). Stops at the first failure.
Diagnostics RehearseChain(Driver& scratch, const MigrationSet& set);

// "left over: table t, index t.t_a; missing: view v; changed: column u.x", or empty when
// there is no change: what is in the schema after the downs that was not before, and so on.
std::string DescribeChanges(const std::vector<CatalogChange>& changes);

}  // namespace migrate

#endif  // MIGRATE_REHEARSAL_H_
