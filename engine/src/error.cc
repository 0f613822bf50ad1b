#include "migrate/error.h"

#include <algorithm>

namespace migrate {

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kMigrationFailed:
    case ErrorCode::kIo:
    case ErrorCode::kInternal:
      return 1;
    case ErrorCode::kUsage:
    case ErrorCode::kConfig:
      return 2;
    case ErrorCode::kValidation:
      return 3;
    case ErrorCode::kDrift:
      return 4;
    case ErrorCode::kLockTimeout:
    case ErrorCode::kLockLost:
      return 5;
    case ErrorCode::kNeedsRepair:
      return 6;
    case ErrorCode::kCorruptBundle:
      return 7;
    case ErrorCode::kConnection:
      return 8;
    case ErrorCode::kInterrupted:
      return 130;
  }
  return 1;
}

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kMigrationFailed:
      return "migration_failed";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kInternal:
      return "internal";
    case ErrorCode::kUsage:
      return "usage";
    case ErrorCode::kConfig:
      return "config";
    case ErrorCode::kValidation:
      return "validation";
    case ErrorCode::kDrift:
      return "drift";
    case ErrorCode::kLockTimeout:
      return "lock_timeout";
    case ErrorCode::kLockLost:
      return "lock_lost";
    case ErrorCode::kNeedsRepair:
      return "needs_repair";
    case ErrorCode::kCorruptBundle:
      return "corrupt_bundle";
    case ErrorCode::kConnection:
      return "connection";
    case ErrorCode::kInterrupted:
      return "interrupted";
  }
  return "internal";
}

std::string SourceLocation::ToString() const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  return out;
}

Error::Error(ErrorCode code, const std::string& message, SourceLocation where, std::string sqlstate)
    : std::runtime_error(message),
      code_(code),
      where_(std::move(where)),
      sqlstate_(std::move(sqlstate)) {}

std::string Diagnostic::ToString() const {
  std::string out = where.ToString();
  if (!out.empty()) out += ": ";
  out += severity == Severity::kError ? "error" : "warning";
  out += "[" + rule + "]: " + message;
  return out;
}

bool HasErrors(const Diagnostics& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

}  // namespace migrate
