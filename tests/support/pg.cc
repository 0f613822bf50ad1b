#include "support/pg.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <pqxx/pqxx>
#include <random>
#include <sstream>
#include <stdexcept>

namespace migrate::testing {
namespace {

std::string WithDatabase(const std::string& url, const std::string& db) {
  std::size_t slash = url.rfind('/');
  std::size_t query = url.find('?', slash);
  return url.substr(0, slash + 1) + db + (query == std::string::npos ? "" : url.substr(query));
}

}  // namespace

std::string PgAdminUrl() {
  const char* url = std::getenv("MIGRATE_TEST_PG_URL");
  if (!url || !*url) {
    throw std::runtime_error(
        "MIGRATE_TEST_PG_URL is not set: run the tests with scripts/test, which starts a "
        "throwaway PostgreSQL 15 cluster (scripts/pg start; export "
        "MIGRATE_TEST_PG_URL=$(scripts/pg url))");
  }
  return url;
}

PgDatabase::PgDatabase() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  name_ = "mt_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
          std::to_string(rd() % 100000);
  pqxx::connection admin(PgAdminUrl());
  pqxx::nontransaction q(admin);
  q.exec("CREATE DATABASE " + q.quote_name(name_));
  url_ = WithDatabase(PgAdminUrl(), name_);
}

PgDatabase::~PgDatabase() {
  try {
    pqxx::connection admin(PgAdminUrl());
    pqxx::nontransaction q(admin);
    q.exec("DROP DATABASE IF EXISTS " + q.quote_name(name_) + " WITH (FORCE)");
  } catch (...) {
    // The cluster is thrown away at the end of scripts/test anyway.
  }
}

std::vector<std::string> PgDatabase::Query(const std::string& sql) const {
  pqxx::connection c(url_);
  pqxx::nontransaction q(c);
  std::vector<std::string> out;
  for (const auto& row : q.exec(sql)) out.emplace_back(row[0].is_null() ? "" : row[0].c_str());
  return out;
}

std::string PgDatabase::DumpSchema() const {
  std::string cmd = "/usr/lib/postgresql/15/bin/pg_dump --schema-only --no-owner '" + url_ + "'";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run pg_dump");
  std::ostringstream out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    out.write(buf, static_cast<std::streamsize>(n));
  if (::pclose(p) != 0) throw std::runtime_error("pg_dump failed for " + name_);
  // Drop comment lines ("-- Dumped by pg_dump version ...") and the random \restrict keys of
  // newer pg_dump releases: they carry no schema.
  std::istringstream in(out.str());
  std::string line, schema;
  while (std::getline(in, line)) {
    if (line.rfind("--", 0) == 0 || line.rfind("\\restrict", 0) == 0 ||
        line.rfind("\\unrestrict", 0) == 0) {
      continue;
    }
    schema += line + "\n";
  }
  return schema;
}

}  // namespace migrate::testing
