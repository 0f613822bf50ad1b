#include "postgres/postgres_rehearsal.h"

#include "migrate/stopwatch.h"

namespace migrate::postgres {
namespace {

class PostgresRehearsal final : public Rehearsal {
 public:
  PostgresRehearsal(Session& session, LiveSteps& steps) : s_(session), steps_(steps) {
    steps_.Begin();
  }
  ~PostgresRehearsal() override { steps_.Rollback(); }

  bool CanRehearse(const Step& step) const override { return step.transactional; }

  long long Rehearse(const Step& step) override {
    auto t0 = std::chrono::steady_clock::now();
    // The timeouts of the step before do not carry over to this one.
    Guard(step.file, [&] {
      s_.Exec("SET LOCAL lock_timeout = DEFAULT");
      s_.Exec("SET LOCAL statement_timeout = DEFAULT");
    });
    steps_.SetLocalTimeouts(step);
    for (std::size_t i = 0; i < step.statements.size(); ++i) steps_.Run(step, i);
    return MillisSince(t0);
  }

 private:
  Session& s_;
  LiveSteps& steps_;
};

}  // namespace

std::unique_ptr<Rehearsal> BeginPostgresRehearsal(Session& session, LiveSteps& steps) {
  return std::make_unique<PostgresRehearsal>(session, steps);
}

}  // namespace migrate::postgres
