#include "migrate/driver.h"

namespace migrate {

long long Driver::Apply(const Step& step, const LockRequest& lease) {
  return ApplyStep(Steps(), step, lease);
}

}  // namespace migrate
