// What migrate keeps in a target database (docs/design.md §4): the names of its tables, the
// history rows and the words of their state column, the lock row, and who asks for the lock.
// Each driver writes these with its dialect's bookkeeping SQL (drivers/<db>/<db>_records.cc);
// the engine decodes and reasons about them here, so both drivers agree on every word and
// column.
#ifndef MIGRATE_RECORDS_H_
#define MIGRATE_RECORDS_H_

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migrate/error.h"

namespace migrate {

// A table name as configured: `table` or `schema.table`, each part matching
// [A-Za-z_][A-Za-z0-9_]{0,62}, so that it needs no escaping inside double quotes.
class QualifiedName {
 public:
  QualifiedName() = default;
  // Parses and validates `text`. Throws Error(kConfig) saying what is allowed. Implicit, so
  // that TableNames{"deploy_history", ...} reads like the config that sets it.
  QualifiedName(std::string_view text);  // NOLINT(google-explicit-constructor)
  QualifiedName(const char* text) : QualifiedName(std::string_view(text)) {}         // NOLINT
  QualifiedName(const std::string& text) : QualifiedName(std::string_view(text)) {}  // NOLINT

  const std::string& schema() const { return schema_; }  // empty: the connection's default
  const std::string& table() const { return table_; }
  // "schema.table" or "table", as written.
  std::string ToString() const;
  // "schema"."table" or "table" in double quotes: the identifier quoting of SQLite and
  // PostgreSQL alike.
  std::string Quoted() const;

  bool operator==(const QualifiedName&) const = default;

 private:
  std::string schema_;
  std::string table_;
};

// One row of a table read as text (Driver::ReadForeignTable); NULL is nullopt.
using TextRow = std::vector<std::optional<std::string>>;

// The tables the engine keeps in the target database; names are configurable
// ([project] history_table, lock_table, log_table, schema_table).
struct TableNames {
  QualifiedName history{"migrate_history"};
  QualifiedName lock{"migrate_lock"};
  QualifiedName log{"migrate_log"};
  QualifiedName schema{"migrate_schema"};

  // Every one of them, for leaving migrate's own tables out of a user schema.
  std::array<const QualifiedName*, 4> All() const { return {&history, &lock, &log, &schema}; }

  // These names, those without a schema put in `schema` (the one the connection resolved them
  // in), so that a migration that changes search_path moves none of them. A `schema` that is
  // not a plain identifier leaves them as they are.
  TableNames QualifiedIn(const std::string& schema) const;
};

// The state of a history row: applied; started and not finished (an interrupted
// non-transactional migration); or recorded as applied by `migrate baseline` without running
// (the database had it already).
enum class HistoryState { kApplied, kStarted, kBaseline };

// The word the state column holds: "applied", "started" or "baseline".
std::string_view HistoryStateName(HistoryState state);

// Every state, for the state column's CHECK.
inline constexpr std::array<HistoryState, 3> kHistoryStates = {
    HistoryState::kApplied, HistoryState::kStarted, HistoryState::kBaseline};

// Whether the migration of a row in `state` is in the database (applied or baselined).
inline bool IsApplied(HistoryState state) { return state != HistoryState::kStarted; }

// One row of the history table.
struct HistoryRow {
  std::string version;
  std::string slug;
  std::string checksum;
  std::string down_checksum;  // empty when there is no down
  HistoryState state = HistoryState::kApplied;
  std::string applied_at;  // database clock, ISO 8601 UTC
  long long duration_ms = 0;
  std::string applied_by;  // user@host:pid
  std::string tool_version;
  std::string run_id;
  int progress = 0;         // statements completed, for an interrupted non-transactional migration
  std::string fingerprint;  // Dialect::Fingerprint of the applied up file
};

// The history table's columns, in the order a driver selects them for DecodeHistoryRow.
inline constexpr std::array<std::string_view, 12> kHistoryColumns = {
    "version",     "slug",       "checksum",     "down_checksum", "state",    "applied_at",
    "duration_ms", "applied_by", "tool_version", "run_id",        "progress", "fingerprint"};

// One history row from its cells as text, in kHistoryColumns order (NULL as "", applied_at
// already as ISO 8601 UTC). Throws Error(kDrift) for a state word or a number it cannot read.
HistoryRow DecodeHistoryRow(const std::array<std::string_view, kHistoryColumns.size()>& cells);

// Puts `rows` in version order (compared numerically), as ReadHistory returns them; linear
// when they already are, which is how databases usually return them.
void SortByVersion(std::vector<HistoryRow>& rows);

// Who is running, and the lease it wants on the lock row.
struct LockRequest {
  std::string run_id;  // random per process run
  std::string user;
  std::string host;
  long long pid = 0;
  std::chrono::milliseconds lease{std::chrono::seconds(60)};

  std::string Holder() const;  // "user@host:pid"
};

// The row of the lock table as it is.
struct LockHolder {
  std::string holder;  // user@host:pid
  std::string run_id;
  std::string acquired_at;
  std::string expires_at;
};

// The error every driver throws when a step finds that the lock row is no longer its own.
Error LockLostError();

// SHA-256 over every row's version and state, in version order: two histories with the same
// digest have the same migrations applied (an accepted edit of a file does not change it).
std::string HistoryDigest(std::vector<HistoryRow> history);

// The newest applied (or baselined) version of `history`, "" when none.
std::string NewestVersion(const std::vector<HistoryRow>& history);

// The format of the canonical catalog text a snapshot holds; a snapshot of another format
// (an older migrate) is not compared, only replaced.
inline constexpr int kCatalogFormat = 1;
// How many snapshots the schema table keeps.
inline constexpr int kSnapshotsKept = 5;

// One row of the schema table: the database's schema as canonical catalog text, taken after a
// run, down, baseline, repair or an accepted drift (docs/design.md §11).
struct SchemaSnapshot {
  std::string version;  // the newest applied version it belongs to; "" when none is
  std::string event;    // "run", "down", "baseline", "repair", "accept"
  int format = kCatalogFormat;
  std::string history;   // HistoryDigest of the history it was taken with
  std::string sha256;    // of `catalog`
  std::string catalog;   // RenderCanonical(Describe(...))
  std::string taken_at;  // database clock, ISO 8601 UTC; read only
  std::string actor;     // user@host:pid; read only
  std::string audit;     // when set, WriteSnapshot also writes a log row with this detail
};

}  // namespace migrate

#endif  // MIGRATE_RECORDS_H_
