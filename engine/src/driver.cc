#include "migrate/driver.h"

#include "migrate/source_text.h"

namespace migrate {

SourceLocation Step::Location(std::size_t index, std::size_t offset_in_statement) const {
  if (index >= statements.size()) return SourceLocation{file};
  LineColumn lc = LineColumnAt(sql, statements[index].offset + offset_in_statement);
  return SourceLocation{file, lc.line, lc.column};
}

std::string_view Step::StatementText(std::size_t index) const {
  return std::string_view(sql).substr(statements[index].offset, statements[index].length);
}

long long Driver::Apply(const Step& step, const LockRequest& lease) {
  return ApplyStep(Steps(), step, lease);
}

}  // namespace migrate
