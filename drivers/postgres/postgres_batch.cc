#include "postgres/postgres_batch.h"

#include <libpq-fe.h>

#include <cstdlib>

#include "migrate/source_text.h"

namespace migrate::postgres {
namespace {

std::size_t CountChars(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string Field(const PGresult* r, int field) {
  const char* value = PQresultErrorField(r, field);
  return value ? value : "";
}

// Reads what a COPY in the middle of the batch would wait for: COPY FROM STDIN is refused
// (a migration file carries no data stream), COPY TO STDOUT is read and dropped.
void EndCopy(PGconn* conn, ExecStatusType status) {
  if (status == PGRES_COPY_IN) {
    PQputCopyEnd(conn,
                 "COPY FROM STDIN has no data in a migration: use INSERT, or COPY FROM a "
                 "file the server can read");
    return;
  }
  char* row = nullptr;
  while (PQgetCopyData(conn, &row, 0) > 0) PQfreemem(row);
}

}  // namespace

void Batch::Add(std::string_view text, int tag, int group) {
  if (!text_.empty()) {
    text_ += "\n";
    ++chars_;
  }
  parts_.push_back({tag, group, text_.size(), text.size(), chars_});
  text_ += text;
  chars_ += CountChars(text);
  // The separator goes on a line of its own, after whatever the text ends with: a -- comment
  // (even one ending in ';') ends at the newline. A text that ended its statement already
  // gains an empty one, which the server skips without a result.
  text_ += "\n;";
  chars_ += 2;
}

BatchFailure Batch::FailureAt(std::size_t next, const std::string& message,
                              const std::string& state, const char* position, bool bytes) const {
  // The server's position: 1-based, into the whole message, in characters — or in bytes when
  // it does not read the message as UTF-8 (a SQL_ASCII database, another client_encoding).
  long at = position ? std::strtol(position, nullptr, 10) - 1 : -1;
  auto begin = [&](const Part& p) { return bytes ? p.begin : p.char_begin; };
  std::size_t part = std::min(next, parts_.size() - 1);
  if (next == 0 && at >= 0) {
    // Nothing ran: a syntax error anywhere fails the message before its first part, so the
    // position says which part it is in. Once parts ran, the next one to answer failed.
    while (part + 1 < parts_.size() && begin(parts_[part + 1]) <= static_cast<std::size_t>(at)) {
      ++part;
    }
  }
  const Part& p = parts_[part];
  BatchFailure f{part, p.tag, p.group, message, state, std::nullopt};
  if (at >= 0 && static_cast<std::size_t>(at) >= begin(p)) {
    std::string_view own = std::string_view(text_).substr(p.begin, p.length);
    std::size_t in = static_cast<std::size_t>(at) - begin(p);
    std::size_t offset = bytes ? in : CharToByteOffset(own, in);
    if (offset <= own.size()) f.offset = offset;  // else the position is not in this part
  }
  return f;
}

BatchOutcome Batch::Run(PGconn* conn) const {
  BatchOutcome out;
  if (parts_.empty()) return out;
  if (!PQsendQuery(conn, text_.c_str())) {
    out.lost = true;
    out.sent = false;
    out.failure = FailureAt(0, PQerrorMessage(conn), "", nullptr, false);
    return out;
  }
  const char* server = PQparameterStatus(conn, "server_encoding");
  const char* client = PQparameterStatus(conn, "client_encoding");
  bool bytes = (server && std::string_view(server) == "SQL_ASCII") ||
               (client && std::string_view(client) != "UTF8");
  std::size_t next = 0;  // the part the next result belongs to
  while (PGresult* r = PQgetResult(conn)) {
    ExecStatusType status = PQresultStatus(r);
    if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT) {
      EndCopy(conn, status);
    } else if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE ||
               status == PGRES_NONFATAL_ERROR) {
      if (!out.failure) {
        out.failure = FailureAt(next, PQresultErrorMessage(r), Field(r, PG_DIAG_SQLSTATE),
                                PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION), bytes);
      }
    } else if (status != PGRES_EMPTY_QUERY && !out.failure) {
      ++next;
    }
    PQclear(r);
  }
  out.completed = next;
  if (PQstatus(conn) == CONNECTION_BAD && next < parts_.size()) {
    // Results stopped coming: the server may or may not have run the rest. A server that
    // ended the session at the last part (a FATAL at COMMIT) may have committed too.
    out.lost =
        !out.failure || out.failure->sqlstate.empty() || out.failure->part + 1 == parts_.size();
    if (!out.failure) out.failure = FailureAt(next, PQerrorMessage(conn), "", nullptr, false);
  }
  return out;
}

}  // namespace migrate::postgres
