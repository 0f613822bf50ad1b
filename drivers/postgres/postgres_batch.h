// Several SQL statements sent to PostgreSQL as one simple-Query message — one round trip —
// with each statement's result read back in order (libpq's PQsendQuery and PQgetResult; the
// server runs them one after the other and stops at the first error, skipping the rest).
// A transactional migration goes this way whole: BEGIN, the lease check, SET LOCAL timeouts,
// its statements, its records and COMMIT (postgres_steps.h). Each part carries a tag saying
// what it is, so a failure is reported against the part that failed, with the server's error
// position made relative to that part.
#ifndef MIGRATE_DRIVERS_POSTGRES_POSTGRES_BATCH_H_
#define MIGRATE_DRIVERS_POSTGRES_POSTGRES_BATCH_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;

namespace migrate::postgres {

// What went wrong in a batch, as the server (or libpq) said it.
struct BatchFailure {
  std::size_t part = 0;  // the part that failed; the ones before it ran
  int tag = 0;
  int group = 0;
  std::string message;   // libpq's text of the error (as libpqxx's what())
  std::string sqlstate;  // empty when libpq made the error itself (a lost connection)
  // The error's position within the part's text, in bytes, when the server gave one.
  std::optional<std::size_t> offset;
};

struct BatchOutcome {
  std::optional<BatchFailure> failure;  // none: every part succeeded
  // The connection broke before every part's result came back (then `failure` names the
  // first part without one, and its sqlstate is empty): what the server did with the rest
  // is unknown.
  bool lost = false;
  bool sent = true;           // false: the message could not be written, so nothing of it ran
  std::size_t completed = 0;  // parts whose result came back successful
};

class Batch {
 public:
  // Appends `text` (one complete statement, with or without its ';'). `tag` says what it is,
  // `group` which of several migrations sent together it belongs to.
  void Add(std::string_view text, int tag, int group = 0);
  std::size_t size() const { return parts_.size(); }
  int tag(std::size_t part) const { return parts_[part].tag; }
  // The message as sent.
  const std::string& text() const { return text_; }

  // Sends the message on `conn` and reads every result. The connection is left with nothing
  // in flight; a failed explicit transaction stays open (failed) for the caller to roll back.
  BatchOutcome Run(pg_conn* conn) const;

 private:
  struct Part {
    int tag = 0;
    int group = 0;
    std::size_t begin = 0;       // byte offset of its text in text_
    std::size_t length = 0;      // of its text, without the separator
    std::size_t char_begin = 0;  // the same offset in characters (error positions)
  };
  // The failure of the part after the `next` ones that answered, located by the server's
  // `position` (in bytes when `bytes`, else in characters), when it gave one.
  BatchFailure FailureAt(std::size_t next, const std::string& message, const std::string& state,
                         const char* position, bool bytes) const;

  std::string text_;
  std::size_t chars_ = 0;
  std::vector<Part> parts_;
};

}  // namespace migrate::postgres

#endif  // MIGRATE_DRIVERS_POSTGRES_POSTGRES_BATCH_H_
