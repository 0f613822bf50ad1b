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

struct pg_conn;

namespace migrate::postgres {

// libpqxx 6.4's direct connection policy, keeping the libpq handle it opens (or reopens).
class KeepHandle final : public pqxx::connect_direct {
 public:
  explicit KeepHandle(const std::string& options) : pqxx::connect_direct(options) {}
  handle do_startconnect(handle orig) override {
    return handle_ = connect_direct::do_startconnect(orig);
  }
  handle do_dropconnect(handle orig) noexcept override {
    handle_ = nullptr;
    return connect_direct::do_dropconnect(orig);
  }
  handle do_disconnect(handle orig) noexcept override {
    handle_ = nullptr;
    return connect_direct::do_disconnect(orig);
  }
  handle current() const noexcept { return handle_; }

 private:
  handle handle_ = nullptr;
};

// A pqxx connection whose libpq handle can be reached (libpqxx 6.4 keeps it private), for
// sending a whole transactional migration as one message (postgres_batch.h). Built as
// libpqxx builds pqxx::connection; the handle changes if libpqxx reconnects: read it each time.
class PgConnection final : public pqxx::connection_base {
 public:
  explicit PgConnection(const std::string& options)
      : pqxx::connection_base(policy_), options_(options), policy_(options_) {
    init();
  }
  ~PgConnection() noexcept { close(); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // The open libpq connection, or nullptr. Never while libpqxx has a query in flight on it.
  pg_conn* raw() const noexcept { return policy_.current(); }

 private:
  std::string options_;  // before policy_, which keeps a reference to it
  KeepHandle policy_;
};

class Session {
 public:
  explicit Session(std::unique_ptr<PgConnection> conn) : conn_(std::move(conn)) {}

  PgConnection& connection() { return *conn_; }

  void Begin() { tx_ = std::make_unique<pqxx::work>(*conn_); }
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
  std::unique_ptr<PgConnection> conn_;
  std::unique_ptr<pqxx::transaction_base> tx_;
};

// A new connection to `url`, with connect_timeout and application_name added when the URL
// does not set them. Throws Error(kConnection) with distinct messages for an unreachable
// server and for failed authentication, and `url` shown redacted.
std::unique_ptr<PgConnection> Connect(std::string url,
                                      const std::string& application_name = "migrate",
                                      int connect_timeout_s = 10);

// `url` with `-c name=value` added to its libpq `options` parameter (percent-encoded), after
// any options the URL sets itself; unchanged when they already set `name`.
std::string WithSessionSetting(const std::string& url, const std::string& name,
                               const std::string& value);

// Whether a refused connection's `message` says the server (a connection pooler: PgBouncer,
// Neon's, …) refused libpq's start-up `options`; the setting is then made with SET instead.
bool RefusesStartupOptions(const std::string& message);

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
