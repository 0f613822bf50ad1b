#include "migrate/driver.h"

#include <algorithm>
#include <regex>

#include "migrate/text.h"

namespace migrate {

void ValidateTableName(const std::string& name) {
  static const std::regex kName(R"(([A-Za-z_][A-Za-z0-9_]{0,62}\.)?[A-Za-z_][A-Za-z0-9_]{0,62})");
  if (!std::regex_match(name, kName)) {
    throw Error(ErrorCode::kConfig,
                "table name '" + name +
                    "' is not allowed: use letters, digits and '_' (at most 63, not starting "
                    "with a digit), optionally as schema.table");
  }
}

std::string LockRequest::Holder() const { return user + "@" + host + ":" + std::to_string(pid); }

SourceLocation Step::Location(std::size_t index, std::size_t offset_in_statement) const {
  if (index >= statements.size()) return SourceLocation{file};
  LineColumn lc = LineColumnAt(sql, statements[index].offset + offset_in_statement);
  return SourceLocation{file, lc.line, lc.column};
}

void SortByVersion(std::vector<HistoryRow>& rows) {
  auto before = [](const HistoryRow& a, const HistoryRow& b) {
    return CompareVersions(a.version, b.version) < 0;
  };
  if (!std::is_sorted(rows.begin(), rows.end(), before)) {
    std::sort(rows.begin(), rows.end(), before);
  }
}

}  // namespace migrate
