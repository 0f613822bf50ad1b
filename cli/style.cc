#include "style.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

namespace migrate::cli {
namespace {

bool color_out = false;
bool color_err = false;

}  // namespace

void ConfigureColor(bool no_color) {
  const char* env = std::getenv("NO_COLOR");
  bool allowed = !no_color && (env == nullptr || *env == '\0');
  color_out = allowed && ::isatty(STDOUT_FILENO);
  color_err = allowed && ::isatty(STDERR_FILENO);
}

std::string Paint(const std::ostream& stream, Tone tone, std::string_view text) {
  bool on = &stream == &std::cerr ? color_err : &stream == &std::cout && color_out;
  if (!on) return std::string(text);
  const char* code = "";
  switch (tone) {
    case Tone::kError:
      code = "\033[1;31m";
      break;
    case Tone::kWarning:
      code = "\033[33m";
      break;
    case Tone::kGood:
      code = "\033[32m";
      break;
    case Tone::kNote:
      code = "\033[2m";
      break;
  }
  return code + std::string(text) + "\033[0m";
}

std::string Painted(const std::ostream& stream, const Diagnostic& d) {
  std::string out = d.where.ToString();
  if (!out.empty()) out += ": ";
  bool error = d.severity == Severity::kError;
  out += Paint(stream, error ? Tone::kError : Tone::kWarning,
               std::string(error ? "error" : "warning") + "[" + d.rule + "]");
  return out + ": " + d.message;
}

}  // namespace migrate::cli
