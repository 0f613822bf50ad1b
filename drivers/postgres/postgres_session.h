// One PostgreSQL session (libpqxx 6.4) and the transaction open on it, if any: what the
// driver and its step sink share. Exec runs in the open transaction, or on its own when none
// is open. Guard turns libpqxx's exceptions into migrate::Error at this boundary.
#ifndef MIGRATE_DRIVERS_POSTGRES_POSTGRES_SESSION_H_
#define MIGRATE_DRIVERS_POSTGRES_POSTGRES_SESSION_H_

#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "migrate/error.h"
#include "postgres/postgres_errors.h"
#include "sql_command.h"

namespace migrate::postgres {

class Session {
 public:
  explicit Session(std::unique_ptr<pqxx::connection> conn) : conn_(std::move(conn)) {}

  pqxx::connection& connection() { return *conn_; }

  void Begin() { tx_ = std::make_unique<pqxx::work>(*conn_); }
  // Begin, with `first` (SQL without parameters) sent in the same round trip as BEGIN and run
  // in the new transaction; returns its result. When it fails, no transaction is left open.
  pqxx::result BeginWith(const std::string& first);
  // Throws pqxx::in_doubt_error when the connection broke during COMMIT.
  void Commit() {
    tx_->commit();
    tx_.reset();
  }
  void Rollback() noexcept { tx_.reset(); }  // libpqxx aborts an open transaction it destroys

  pqxx::result Exec(const std::string& sql);
  pqxx::result Exec(const SqlCommand& command);

  // A string literal, quoted by the server's rules.
  std::string Quote(const std::string& value);

 private:
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::transaction_base> tx_;
};

// A new connection to `url`, with connect_timeout and application_name added when the URL
// does not set them. Throws Error(kConnection) with distinct messages for an unreachable
// server and for failed authentication, and `url` shown redacted.
std::unique_ptr<pqxx::connection> Connect(std::string url,
                                          const std::string& application_name = "migrate",
                                          int connect_timeout_s = 10);

// Runs `body`, translating libpqxx's exceptions: a broken connection or another libpq
// failure is Error(kConnection), an SQL error Error(kMigrationFailed) with its SQLSTATE; the
// message starts with `what`.
template <typename Body>
void Guard(const std::string& what, Body&& body) {
  try {
    body();
  } catch (const pqxx::broken_connection& e) {
    throw Error(ErrorCode::kConnection,
                what + ": lost the connection to PostgreSQL: " + CleanServerMessage(e.what()));
  } catch (const pqxx::sql_error& e) {
    throw Error(ErrorCode::kMigrationFailed, what + ": " + CleanServerMessage(e.what()), {},
                SqlStateOf(e));
  } catch (const pqxx::failure& e) {
    throw Error(ErrorCode::kConnection, what + ": " + CleanServerMessage(e.what()));
  }
}

}  // namespace migrate::postgres

#endif  // MIGRATE_DRIVERS_POSTGRES_POSTGRES_SESSION_H_
