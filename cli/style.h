// Colour for people reading a terminal: severities, states and findings stand out. Used only
// when the stream is a terminal, --no-color was not given and NO_COLOR (no-color.org) is unset
// or empty; pipes, files, logs and --json output never carry escape codes.
#ifndef MIGRATE_CLI_STYLE_H_
#define MIGRATE_CLI_STYLE_H_

#include <iosfwd>
#include <string>
#include <string_view>

#include "migrate/error.h"

namespace migrate::cli {

enum class Tone { kError, kWarning, kGood, kNote };

// Decides, once, whether standard output and standard error get colour.
void ConfigureColor(bool no_color);

// `text` in `tone` when `stream` (std::cout or std::cerr) gets colour, else `text` as it is.
std::string Paint(const std::ostream& stream, Tone tone, std::string_view text);

// Diagnostic::ToString with its severity painted.
std::string Painted(const std::ostream& stream, const Diagnostic& d);

}  // namespace migrate::cli

#endif  // MIGRATE_CLI_STYLE_H_
