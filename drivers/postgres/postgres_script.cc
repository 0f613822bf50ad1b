#include "postgres/postgres_script.h"

#include <cctype>

#include "postgres/postgres_records.h"

namespace migrate::postgres {
namespace {

// ApplyStep's primitives, written down as psql input. Durations are written as 0: the
// script must be the same each time it is rendered.
class ScriptSteps final : public StepSink {
 public:
  ScriptSteps(const TableNames& tables, const QuoteLiteral& quote, std::string& out)
      : t_(tables), quote_(quote), out_(out) {}

  void Begin() override { out_ += "BEGIN;\n"; }
  // The script holds the lock row by its INSERT; each step's record checks it before COMMIT.
  void BeginChecked(const LockRequest&) override { Begin(); }
  void SetLocalTimeouts(const Step& step) override { Lines(postgres::SetTimeouts(step, true)); }
  void Commit(const Step&) override { out_ += "COMMIT;\n"; }
  void Rollback() noexcept override {}
  void Run(const Step& step, std::size_t index) override {
    std::string text(step.StatementText(index));
    if (text.empty() || text.back() != ';') text += ";";
    out_ += text + "\n";
  }
  void RecordStarted(const Step& step, const LockRequest& lease) override {
    Write(postgres::RenewLease(t_, lease));
    Write(step.direction == Direction::kUp ? postgres::InsertStarted(t_, step, lease)
                                           : postgres::MarkDownStarted(t_, step));
  }
  void BeginStatements(const Step& step) override { Lines(postgres::SetTimeouts(step, false)); }
  void RecordProgress(const Step& step, int done) override {
    Write(postgres::SetProgress(t_, step, done));
  }
  void EndStatements(const Step& step) override { Lines(postgres::ResetTimeouts(step)); }
  void RecordDone(const Step& step, const LockRequest& lease, long long) override {
    Write(postgres::RecordDone(t_, step, lease, 0));
  }

  void Write(const SqlCommand& command) { out_ += Inline(command, quote_) + ";\n"; }

 private:
  void Lines(const std::vector<std::string>& lines) {
    for (const std::string& line : lines) out_ += line + ";\n";
  }

  const TableNames& t_;
  const QuoteLiteral& quote_;
  std::string& out_;
};

}  // namespace

std::string Inline(const SqlCommand& command, const QuoteLiteral& quote) {
  const std::string& text = command.text;
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::size_t end = i + 1;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    if (text[i] != '$' || end == i + 1) {
      out.push_back(text[i]);
      continue;
    }
    std::size_t n = std::stoul(text.substr(i + 1, end - i - 1));
    const std::optional<std::string>& value = command.params.at(n - 1);
    out += value ? quote(*value) : "NULL";
    i = end - 1;
  }
  return out;
}

std::string RenderScript(const TableNames& tables, const std::vector<Step>& steps,
                         const LockRequest& actor, const QuoteLiteral& quote) {
  LockRequest script = actor;
  script.user = "psql:" + script.user;  // the holder says the lock row is a script's
  script.lease = std::chrono::hours(1);
  std::string out = "-- Written by 'migrate plan --format sql': " + std::to_string(steps.size()) +
                    " migration(s), exactly as 'migrate run' would apply them.\n"
                    "-- Apply with: psql -v ON_ERROR_STOP=1 -f THIS_FILE\n"
                    "\\set ON_ERROR_STOP on\n\n"
                    "SET client_min_messages = warning;\n";
  for (const std::string& ddl : MetadataDdl(tables)) out += ddl + ";\n";
  ScriptSteps sink(tables, quote, out);
  out += "-- Take the migration lock; this fails if another runner holds it.\n";
  sink.Write(InsertLockRow(tables, script));
  out += "RESET client_min_messages;\n";
  for (const Step& step : steps) {
    out += "\n-- " + step.file + (step.transactional ? "" : " (no transaction)") + "\n";
    ApplyStep(sink, step, script);
  }
  out += "\n";
  sink.Write(ReleaseLock(tables, script));
  return out;
}

}  // namespace migrate::postgres
