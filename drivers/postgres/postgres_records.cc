#include "postgres/postgres_records.h"

#include <optional>

namespace migrate::postgres {
namespace {

Error LeaseLost() {
  return Error(ErrorCode::kLockLost,
               "this run no longer holds the migration lock (its lease expired and another "
               "runner took it); stopped before committing anything more");
}

std::optional<std::string> DownChecksum(const Step& step) {
  if (step.down_checksum.empty()) return std::nullopt;
  return step.down_checksum;
}

// INSERT of an up step's history row; parameters $1..$11.
std::string InsertHistory(const MetadataNames& n) {
  return "INSERT INTO " + n.history +
         " (version, slug, checksum, down_checksum, state, progress, duration_ms, applied_by,"
         " tool_version, run_id, fingerprint) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
         " $11) ON CONFLICT (version) DO UPDATE SET state = excluded.state,"
         " progress = excluded.progress, duration_ms = excluded.duration_ms,"
         " applied_at = clock_timestamp(), run_id = excluded.run_id";
}

std::string LeaseUpdate(const MetadataNames& n, const std::string& secs,
                        const std::string& run_id) {
  return "UPDATE " + n.lock + " SET expires_at = clock_timestamp() + make_interval(secs => " +
         secs + ") WHERE id = 1 AND run_id = " + run_id;
}

}  // namespace

std::string LeaseSeconds(std::chrono::milliseconds lease) {
  return std::to_string(static_cast<double>(lease.count()) / 1000.0);
}

void RenewLease(pqxx::transaction_base& tx, const MetadataNames& n, const LockRequest& lease) {
  pqxx::result r =
      tx.exec_params(LeaseUpdate(n, "$1", "$2"), LeaseSeconds(lease.lease), lease.run_id);
  if (r.affected_rows() != 1) throw LeaseLost();
}

void WriteLog(pqxx::transaction_base& tx, const MetadataNames& n, const std::string& event,
              const std::string& version, const std::string& slug, const std::string& checksum,
              long long ms, const std::string& detail, const LockRequest& lease) {
  tx.exec_params("INSERT INTO " + n.log +
                     " (run_id, event, version, slug, checksum, duration_ms, actor, detail)"
                     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                 lease.run_id, event, version, slug, checksum, ms, lease.Holder(), detail);
}

void WriteStarted(pqxx::transaction_base& tx, const MetadataNames& n, const Step& step,
                  const LockRequest& lease) {
  tx.exec_params(InsertHistory(n), step.version, step.slug, step.checksum, DownChecksum(step),
                 "started", step.resume_from, 0, lease.Holder(), step.tool_version, lease.run_id,
                 step.fingerprint);
}

void RecordStep(pqxx::transaction_base& tx, const MetadataNames& n, const Step& step,
                const LockRequest& lease, long long ms) {
  // The data-modifying CTEs run whether or not the UPDATE reads them.
  pqxx::result r;
  if (step.direction == Direction::kUp) {
    r = tx.exec_params("WITH history AS (" + InsertHistory(n) + "), log AS (INSERT INTO " + n.log +
                           " (run_id, event, version, slug, checksum, duration_ms, actor, detail)"
                           " VALUES ($10, 'up', $1, $2, $3, $7, $8, $12)) " +
                           LeaseUpdate(n, "$13", "$10"),
                       step.version, step.slug, step.checksum, DownChecksum(step), "applied",
                       static_cast<int>(step.statements.size()), ms, lease.Holder(),
                       step.tool_version, lease.run_id, step.fingerprint, step.file,
                       LeaseSeconds(lease.lease));
  } else {
    r = tx.exec_params("WITH history AS (DELETE FROM " + n.history +
                           " WHERE version = $1), log AS (INSERT INTO " + n.log +
                           " (run_id, event, version, slug, checksum, duration_ms, actor, detail)"
                           " VALUES ($2, 'down', $1, $3, $4, $5, $6, $7)) " +
                           LeaseUpdate(n, "$8", "$2"),
                       step.version, lease.run_id, step.slug, step.down_checksum, ms,
                       lease.Holder(), step.file, LeaseSeconds(lease.lease));
  }
  if (r.affected_rows() != 1) throw LeaseLost();
}

}  // namespace migrate::postgres
