// The psql script of `migrate plan --format sql`: what a DBA runs by hand with
// `psql -v ON_ERROR_STOP=1 -f` to apply exactly what `migrate run` would. It is written by
// the engine's ApplyStep over a StepSink that writes each primitive down instead of executing
// it, with the bookkeeping SQL of postgres_records.h and the values inlined as literals.
#ifndef MIGRATE_DRIVERS_POSTGRES_POSTGRES_SCRIPT_H_
#define MIGRATE_DRIVERS_POSTGRES_POSTGRES_SCRIPT_H_

#include <functional>
#include <string>
#include <vector>

#include "migrate/driver.h"
#include "sql_command.h"

namespace migrate::postgres {

using QuoteLiteral = std::function<std::string(const std::string&)>;

// `command`'s text with each $n replaced by its parameter as a literal (NULL when null).
std::string Inline(const SqlCommand& command, const QuoteLiteral& quote);

// A script that creates migrate's tables if missing, takes the lock row (failing if another
// runner holds it), applies every step as Driver::Apply would (ApplyStep), and frees the lock.
std::string RenderScript(const TableNames& tables, const std::vector<Step>& steps,
                         const LockRequest& actor, const QuoteLiteral& quote);

}  // namespace migrate::postgres

#endif  // MIGRATE_DRIVERS_POSTGRES_POSTGRES_SCRIPT_H_
