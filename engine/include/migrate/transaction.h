// One transaction around a piece of work, for anything with Begin, Commit and a Rollback that
// never throws (a StepSink, a driver's connection): committed when the work returns, rolled
// back when it throws, and the exception passed on.
#ifndef MIGRATE_TRANSACTION_H_
#define MIGRATE_TRANSACTION_H_

namespace migrate {

// Runs `body` between tx.Begin() and tx.Commit(commit_args...); calls tx.Rollback() and
// rethrows when anything throws.
template <typename Tx, typename Body, typename... CommitArgs>
void InTransaction(Tx& tx, Body&& body, const CommitArgs&... commit_args) {
  tx.Begin();
  try {
    body();
    tx.Commit(commit_args...);
  } catch (...) {
    tx.Rollback();
    throw;
  }
}

}  // namespace migrate

#endif  // MIGRATE_TRANSACTION_H_
