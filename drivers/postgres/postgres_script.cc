#include "postgres/postgres_script.h"

#include "migrate/text.h"

namespace migrate::postgres {
namespace {

std::string StatementText(const Step& step, std::size_t i) {
  std::string text = step.sql.substr(step.statements[i].offset, step.statements[i].length);
  if (text.empty() || text.back() != ';') text += ";";
  return text + "\n";
}

std::string Timeouts(const Step& step, const char* scope) {
  std::string out;
  if (step.lock_timeout) {
    out += std::string("SET ") + scope + "lock_timeout = '" +
           std::to_string(step.lock_timeout->count()) + "ms';\n";
  }
  if (step.statement_timeout) {
    out += std::string("SET ") + scope + "statement_timeout = '" +
           std::to_string(step.statement_timeout->count()) + "ms';\n";
  }
  return out;
}

}  // namespace

std::vector<std::string> MetadataDdl(const MetadataNames& n) {
  std::vector<std::string> out;
  for (const std::string& schema : n.schemas)
    out.push_back("CREATE SCHEMA IF NOT EXISTS " + schema);
  out.push_back("CREATE TABLE IF NOT EXISTS " + n.history +
                " (version text PRIMARY KEY, slug text NOT NULL, checksum text NOT NULL,"
                " down_checksum text, state text NOT NULL CHECK (state IN ('applied','started')),"
                " progress integer NOT NULL DEFAULT 0,"
                " applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
                " duration_ms bigint NOT NULL DEFAULT 0, applied_by text NOT NULL,"
                " tool_version text NOT NULL, run_id text NOT NULL, fingerprint text)");
  out.push_back("CREATE TABLE IF NOT EXISTS " + n.lock +
                " (id integer PRIMARY KEY CHECK (id = 1), holder text NOT NULL,"
                " run_id text NOT NULL, acquired_at timestamptz NOT NULL,"
                " expires_at timestamptz NOT NULL)");
  out.push_back("CREATE TABLE IF NOT EXISTS " + n.log +
                " (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                " at timestamptz NOT NULL DEFAULT clock_timestamp(), run_id text NOT NULL,"
                " event text NOT NULL, version text, slug text, checksum text,"
                " duration_ms bigint, actor text NOT NULL, detail text)");
  return out;
}

std::string RenderScript(const MetadataNames& n, const std::vector<Step>& steps,
                         const LockRequest& actor,
                         const std::function<std::string(const std::string&)>& q) {
  std::string holder = q(actor.Holder() + " via psql");
  std::string run = q(actor.run_id);
  std::string out = "-- Written by 'migrate plan --format sql': " + std::to_string(steps.size()) +
                    " migration(s), exactly as 'migrate run' would apply them.\n"
                    "-- Apply with: psql -v ON_ERROR_STOP=1 -f THIS_FILE\n"
                    "\\set ON_ERROR_STOP on\n\n"
                    "SET client_min_messages = warning;\n";
  for (const std::string& ddl : MetadataDdl(n)) out += ddl + ";\n";
  out +=
      "-- Take the migration lock; this fails if another runner holds it.\n"
      "INSERT INTO " +
      n.lock + " (id, holder, run_id, acquired_at, expires_at) VALUES (1, " + holder + ", " + run +
      ", clock_timestamp(), clock_timestamp() + interval '1 hour');\n"
      "RESET client_min_messages;\n";
  for (const Step& s : steps) {
    std::string history_values = q(s.version) + ", " + q(s.slug) + ", " + q(s.checksum) + ", " +
                                 (s.down_checksum.empty() ? "NULL" : q(s.down_checksum));
    std::string log = "INSERT INTO " + n.log +
                      " (run_id, event, version, slug, checksum, duration_ms, actor, detail) "
                      "VALUES (" +
                      run + ", 'up', " + q(s.version) + ", " + q(s.slug) + ", " + q(s.checksum) +
                      ", 0, " + holder + ", " + q(s.file) + ");\n";
    std::string tail = ", " + holder + ", " + q(s.tool_version) + ", " + run + ", " +
                       (s.fingerprint.empty() ? "NULL" : q(s.fingerprint)) + ")";
    out += "\n-- " + s.file + (s.transactional ? "" : " (no transaction)") + "\n";
    if (s.transactional) {
      out += "BEGIN;\n" + Timeouts(s, "LOCAL ");
      for (std::size_t i = 0; i < s.statements.size(); ++i) out += StatementText(s, i);
      out += "INSERT INTO " + n.history +
             " (version, slug, checksum, down_checksum, state, progress, duration_ms, "
             "applied_by, tool_version, run_id, fingerprint) VALUES (" +
             history_values + ", 'applied', " + std::to_string(s.statements.size()) + ", 0" + tail +
             ";\n" + log + "COMMIT;\n";
      continue;
    }
    out += "INSERT INTO " + n.history +
           " (version, slug, checksum, down_checksum, state, progress, duration_ms, applied_by, "
           "tool_version, run_id, fingerprint) VALUES (" +
           history_values + ", 'started', 0, 0" + tail + ";\n" + Timeouts(s, "");
    for (std::size_t i = 0; i < s.statements.size(); ++i) {
      out += StatementText(s, i) + "UPDATE " + n.history +
             " SET progress = " + std::to_string(i + 1) + " WHERE version = " + q(s.version) +
             ";\n";
    }
    if (s.lock_timeout) out += "RESET lock_timeout;\n";
    if (s.statement_timeout) out += "RESET statement_timeout;\n";
    out += "UPDATE " + n.history + " SET state = 'applied' WHERE version = " + q(s.version) +
           ";\n" + log;
  }
  out += "\nDELETE FROM " + n.lock + " WHERE run_id = " + run + ";\n";
  return out;
}

}  // namespace migrate::postgres
