#include "postgres/postgres_rehearsal.h"

#include "migrate/stopwatch.h"

namespace migrate::postgres {
namespace {

// After each step: deferred constraints are checked as the step's COMMIT would check them,
// then those declared INITIALLY DEFERRED are deferred again for the steps after it.
constexpr const char* kCheckDeferred =
    "SET CONSTRAINTS ALL IMMEDIATE; "
    "DO $migrate$ DECLARE names text; BEGIN "
    "SELECT string_agg(format('%I.%I', n.nspname, c.conname), ', ') INTO names "
    "FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace "
    "WHERE c.condeferred; "
    "IF names IS NOT NULL THEN EXECUTE 'SET CONSTRAINTS ' || names || ' DEFERRED'; END IF; "
    "END $migrate$";

class PostgresRehearsal final : public Rehearsal {
 public:
  PostgresRehearsal(Session& session, LiveSteps& steps) : s_(session), steps_(steps) {
    steps_.Begin();
    try {
      started_ = s_.Exec("SELECT now()::text")[0][0].c_str();
    } catch (...) {
      steps_.Rollback();
      throw;
    }
  }
  ~PostgresRehearsal() override { steps_.Rollback(); }

  std::string WhyNotRehearsable(const Step& step) const override {
    return step.transactional ? ""
                              : "it is '-- migrate:no-transaction', and a dry run on "
                                "PostgreSQL runs everything in one transaction";
  }

  Rehearsed Rehearse(const Step& step) override {
    auto t0 = std::chrono::steady_clock::now();
    // The timeouts of the step before do not carry over to this one.
    Guard(step.file, [&] {
      s_.Exec("SET LOCAL lock_timeout = DEFAULT; SET LOCAL statement_timeout = DEFAULT");
    });
    steps_.SetLocalTimeouts(step);
    try {
      for (std::size_t i = 0; i < step.statements.size(); ++i) steps_.Run(step, i);
    } catch (const Error& e) {
      if (e.sqlstate() != "55P04") throw;
      return {MillisSince(t0),
              "it uses an enum value that an earlier migration of this dry run "
              "added; PostgreSQL allows that only once the value's transaction "
              "committed, as it will have in a run"};
    }
    FailIfTransactionEnded(step);
    try {
      Guard(step.file + ": at its end, where its COMMIT checks deferred constraints",
            [&] { s_.Exec(kCheckDeferred); });
    } catch (const Error& e) {
      throw Error(e.code(), std::string(e.what()) + " (SQLSTATE " + e.sqlstate() + ")", e.where(),
                  e.sqlstate());
    }
    return {MillisSince(t0), ""};
  }

 private:
  // A statement the build could not see as transaction control (a PREPARE TRANSACTION, a
  // COMMIT hidden from the splitter) ended the rehearsal's transaction: what ran after it
  // was not rolled back. Said as loudly as it is.
  void FailIfTransactionEnded(const Step& step) {
    std::string now;
    Guard(step.file, [&] { now = s_.Exec("SELECT now()::text")[0][0].c_str(); });
    if (now == started_) return;
    throw Error(ErrorCode::kMigrationFailed,
                step.file +
                    ": this migration ended the dry run's transaction (a COMMIT or "
                    "PREPARE TRANSACTION that migrate did not recognise): what ran "
                    "after that point was committed, or is held in a prepared "
                    "transaction (see pg_prepared_xacts). Check the database by hand, "
                    "and remove the statement from the migration");
  }

  Session& s_;
  LiveSteps& steps_;
  std::string started_;  // now() of the rehearsal's transaction
};

}  // namespace

std::unique_ptr<Rehearsal> BeginPostgresRehearsal(Session& session, LiveSteps& steps) {
  return std::make_unique<PostgresRehearsal>(session, steps);
}

}  // namespace migrate::postgres
