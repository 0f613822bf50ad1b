#include "postgres/postgres_session.h"

namespace migrate::postgres {
namespace {

// A read-committed transaction whose BEGIN carries a first statement in one round trip
// (libpqxx 6.4 sends BEGIN on its own otherwise).
class BegunWith final : public pqxx::internal::basic_transaction {
 public:
  BegunWith(pqxx::connection_base& c, std::string first)
      : pqxx::internal::namedclass{"transaction"},
        basic_transaction(c, "READ COMMITTED", pqxx::read_write),
        first_(std::move(first)) {
    Begin();
  }
  ~BegunWith() noexcept override { End(); }

  pqxx::result first_result;

 private:
  void do_begin() override {
    try {
      first_result = direct_exec(("BEGIN; " + first_).c_str());
    } catch (...) {
      try {  // BEGIN ran, its companion failed: the block must not stay open
        direct_exec("ROLLBACK");
      } catch (...) {
      }
      throw;
    }
  }

  std::string first_;
};

}  // namespace

pqxx::result Session::BeginWith(const std::string& first) {
  auto tx = std::make_unique<BegunWith>(*conn_, first);
  pqxx::result r = tx->first_result;
  tx_ = std::move(tx);
  return r;
}

pqxx::result Session::Exec(const std::string& sql) {
  if (tx_) return tx_->exec(sql);
  pqxx::nontransaction q(*conn_);
  return q.exec(sql);
}

pqxx::result Session::Exec(const SqlCommand& command) {
  if (command.params.empty()) return Exec(command.text);
  auto params = pqxx::prepare::make_dynamic_params(command.params);
  if (tx_) return tx_->exec_params(command.text, params);
  pqxx::nontransaction q(*conn_);
  return q.exec_params(command.text, params);
}

std::string Session::Quote(const std::string& value) { return conn_->quote(value); }

}  // namespace migrate::postgres
