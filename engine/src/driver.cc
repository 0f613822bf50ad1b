#include "migrate/driver.h"

#include "migrate/naming.h"

namespace migrate {

std::optional<std::string> OlderServerWarning(const Capabilities& server, int postgres_version) {
  int major = server.server_version_num / 10000;
  if (server.name != kDialectPostgres || major == 0 || major >= postgres_version) {
    return std::nullopt;
  }
  return "the server runs PostgreSQL " + server.server_version + ", older than the " +
         std::to_string(postgres_version) +
         " the migrations are written for (postgres_version): statements newer than " +
         std::to_string(major) +
         " will fail there. Upgrade the server, or set postgres_version for this environment";
}

long long Driver::Apply(const Step& step, const LockRequest& lease) {
  return ApplyStep(Steps(), step, lease);
}

std::vector<long long> Driver::ApplyAll(const std::vector<Step>& steps, const LockRequest& lease) {
  return ApplySteps(Steps(), steps, lease);
}

}  // namespace migrate
