#include "migrate/records.h"

#include <algorithm>
#include <charconv>

#include "migrate/naming.h"
#include "migrate/sha256.h"

namespace migrate {
namespace {

bool IsIdentifier(std::string_view s) {
  auto head = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  auto tail = [&](char c) { return head(c) || (c >= '0' && c <= '9'); };
  return !s.empty() && s.size() <= 63 && head(s.front()) && std::all_of(s.begin(), s.end(), tail);
}

template <typename T>
T Number(std::string_view text, std::string_view column, std::string_view version) {
  T value = 0;
  if (text.empty()) return value;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw Error(ErrorCode::kDrift, "the history row of " + std::string(version) + " has " +
                                       std::string(column) + " '" + std::string(text) +
                                       "', which is not a number; was the row edited by hand?");
  }
  return value;
}

}  // namespace

QualifiedName::QualifiedName(std::string_view text) {
  std::size_t dot = text.find('.');
  std::string_view schema = dot == std::string_view::npos ? "" : text.substr(0, dot);
  std::string_view table = dot == std::string_view::npos ? text : text.substr(dot + 1);
  if ((dot != std::string_view::npos && !IsIdentifier(schema)) || !IsIdentifier(table)) {
    throw Error(ErrorCode::kConfig,
                "table name '" + std::string(text) +
                    "' is not allowed: use letters, digits and '_' (at most 63, not starting "
                    "with a digit), optionally as schema.table");
  }
  schema_ = schema;
  table_ = table;
}

TableNames TableNames::QualifiedIn(const std::string& in) const {
  if (!IsIdentifier(in)) return *this;
  TableNames out = *this;
  for (QualifiedName* name : {&out.history, &out.lock, &out.log, &out.schema}) {
    if (name->schema().empty()) *name = QualifiedName(in + "." + name->table());
  }
  return out;
}

std::string QualifiedName::ToString() const {
  return schema_.empty() ? table_ : schema_ + "." + table_;
}

std::string QualifiedName::Quoted() const {
  std::string table = "\"" + table_ + "\"";
  return schema_.empty() ? table : "\"" + schema_ + "\"." + table;
}

std::string_view HistoryStateName(HistoryState state) {
  switch (state) {
    case HistoryState::kStarted:
      return "started";
    case HistoryState::kBaseline:
      return "baseline";
    case HistoryState::kApplied:
      break;
  }
  return "applied";
}

HistoryRow DecodeHistoryRow(const std::array<std::string_view, kHistoryColumns.size()>& c) {
  HistoryRow r;
  r.version = c[0];
  r.slug = c[1];
  r.checksum = c[2];
  r.down_checksum = c[3];
  auto state = std::find_if(kHistoryStates.begin(), kHistoryStates.end(),
                            [&](HistoryState s) { return HistoryStateName(s) == c[4]; });
  if (state == kHistoryStates.end()) {
    throw Error(ErrorCode::kDrift, "the history row of " + r.version + " has the state '" +
                                       std::string(c[4]) +
                                       "', which this migrate does not know; was the row edited "
                                       "by hand?");
  }
  r.state = *state;
  r.applied_at = c[5];
  r.duration_ms = Number<long long>(c[6], kHistoryColumns[6], r.version);
  r.applied_by = c[7];
  r.tool_version = c[8];
  r.run_id = c[9];
  r.progress = Number<int>(c[10], kHistoryColumns[10], r.version);
  r.fingerprint = c[11];
  return r;
}

void SortByVersion(std::vector<HistoryRow>& rows) {
  auto before = [](const HistoryRow& a, const HistoryRow& b) {
    return CompareVersions(a.version, b.version) < 0;
  };
  if (!std::is_sorted(rows.begin(), rows.end(), before)) {
    std::sort(rows.begin(), rows.end(), before);
  }
}

std::string LockRequest::Holder() const { return user + "@" + host + ":" + std::to_string(pid); }

std::string HistoryDigest(std::vector<HistoryRow> history) {
  SortByVersion(history);
  std::string lines;
  for (const HistoryRow& r : history) {
    lines.append(r.version).append("\t").append(HistoryStateName(r.state)).append("\n");
  }
  return Sha256Hex(lines);
}

std::string NewestVersion(const std::vector<HistoryRow>& history) {
  std::string newest;
  for (const HistoryRow& row : history) {
    if (IsApplied(row.state) && (newest.empty() || CompareVersions(row.version, newest) > 0)) {
      newest = row.version;
    }
  }
  return newest;
}

Error LockLostError() {
  return Error(ErrorCode::kLockLost,
               "this run no longer holds the migration lock: it was freed by 'migrate unlock', "
               "or taken by another runner once its lease expired while this one was not "
               "running; stopped before running or committing anything more");
}

}  // namespace migrate
