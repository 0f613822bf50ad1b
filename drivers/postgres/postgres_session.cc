#include "postgres/postgres_session.h"

namespace migrate::postgres {

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
