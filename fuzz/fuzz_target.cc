// The libFuzzer entry point of one fuzz target: fuzz/CMakeLists.txt compiles it once per
// target with MIGRATE_FUZZ_TARGET naming that target's function of fuzz/harness.h.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  MIGRATE_FUZZ_TARGET(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
