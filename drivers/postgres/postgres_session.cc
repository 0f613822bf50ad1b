#include "postgres/postgres_session.h"

#include "migrate/redact.h"

namespace migrate::postgres {
namespace {

// Adds `key`=`value` to a URL that does not set `key`.
void AddDefault(std::string& url, const std::string& key, const std::string& value) {
  if (url.find(key + "=") != std::string::npos) return;
  url += (url.find('?') == std::string::npos ? "?" : "&") + key + "=" + value;
}

}  // namespace

std::string WithSessionSetting(const std::string& url, const std::string& name,
                               const std::string& value) {
  std::string setting = "-c%20" + name + "%3D" + value;
  std::size_t query = url.find('?');
  std::size_t at = query == std::string::npos ? std::string::npos : url.find("options=", query);
  while (at != std::string::npos && url[at - 1] != '?' && url[at - 1] != '&') {
    at = url.find("options=", at + 1);
  }
  if (at == std::string::npos) {
    return url + (query == std::string::npos ? "?" : "&") + "options=" + setting;
  }
  std::size_t end = std::min(url.find('&', at), url.size());
  std::string current = url.substr(at, end - at);
  if (current.find(name) != std::string::npos) return url;  // the URL sets it: theirs wins
  return url.substr(0, end) + "%20" + setting + url.substr(end);
}

bool RefusesStartupOptions(const std::string& message) {
  return message.find("unsupported startup parameter") != std::string::npos;
}

std::unique_ptr<PgConnection> Connect(std::string url, const std::string& application_name,
                                      int connect_timeout_s) {
  std::string shown = RedactUrl(url);
  AddDefault(url, "connect_timeout", std::to_string(connect_timeout_s));
  AddDefault(url, "application_name", application_name);
  try {
    return std::make_unique<PgConnection>(url);
  } catch (const pqxx::broken_connection& e) {
    throw ConnectionError(e, shown);
  } catch (const pqxx::failure& e) {
    throw Error(ErrorCode::kConnection,
                "cannot connect to " + shown + ": " + CleanServerMessage(e.what()));
  }
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
