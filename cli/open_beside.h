// The database opened beside the bundle's verification (docs/design.md §7): the connection's
// handshake (and, when asked, the history read: read-only, without the lock, as the first read
// of a run always was) runs while a thread reads and verifies the bundle, so a no-op `run` or
// a `status` costs the longer of the two, not their sum.
#ifndef MIGRATE_CLI_OPEN_BESIDE_H_
#define MIGRATE_CLI_OPEN_BESIDE_H_

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "migrate/bundle.h"
#include "migrate/driver.h"

namespace migrate::cli {

struct Opened {
  Bundle bundle;
  std::unique_ptr<Driver> driver;
  std::optional<std::vector<HistoryRow>> history;  // with read_history
};

// Runs `open_bundle` on a thread while `open_database` (then Driver::ReadHistory, with
// `read_history`) runs here. A bundle that fails is the error (exit 7) whatever the database
// did: it is waited for, and a database error is dropped (its connection closed). Else the
// database's error is thrown as it was (exit 8 for a connection; messages are redacted where
// they are printed, as always).
Opened OpenBeside(const std::function<Bundle()>& open_bundle,
                  const std::function<std::unique_ptr<Driver>()>& open_database, bool read_history);

}  // namespace migrate::cli

#endif  // MIGRATE_CLI_OPEN_BESIDE_H_
