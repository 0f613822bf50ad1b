// Migration file names: `<version>_<slug>[.<dialect>].<up|down>.sql` (docs/design.md §2).
// The version is 1-20 ASCII digits and orders numerically as a decimal string, so versions
// wider than 64 bits (real sets use 20 digits) order correctly. The name is read from the
// right: `.sql`, then the direction, then an optional dialect; the slug in between may hold
// letters, digits, `_`, `-` and `.`.
#ifndef MIGRATE_NAMING_H_
#define MIGRATE_NAMING_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace migrate {

enum class Direction { kUp, kDown };

const char* DirectionName(Direction direction);  // "up" or "down"

// The dialects a file name may name, and the only place they are listed: every loop over
// dialects (manifest digests, config checks, build targets) runs over kDialects.
inline constexpr std::string_view kDialectPostgres = "postgres";
inline constexpr std::string_view kDialectSqlite = "sqlite";
inline constexpr std::array<std::string_view, 2> kDialects = {kDialectPostgres, kDialectSqlite};

bool IsKnownDialect(std::string_view dialect);

// "postgres, sqlite": kDialects for a message.
std::string KnownDialects();

struct MigrationFileName {
  std::string version;  // digits as written
  std::string slug;
  std::string dialect;  // empty for a generic file
  Direction direction = Direction::kUp;
};

// Parses a file name (no folder). Returns nullopt for a name that is not a migration and,
// when `why` is given, stores a sentence saying what is wrong and how to fix it.
std::optional<MigrationFileName> ParseMigrationFileName(std::string_view name,
                                                        std::string* why = nullptr);

// `name` for a message: control characters (a newline, an escape sequence in a hostile file
// name) written as \xNN, so a name cannot break a line of output or drive the terminal.
std::string PrintableName(std::string_view name);

// A slug made of `name`: letters and digits lowercased, every run of anything else one '_',
// none at either end ("Add coupons!" → "add_coupons"). Empty when `name` has no letter or digit.
std::string MakeSlug(std::string_view name);

// Compares two digit strings numerically (leading zeros ignored): <0, 0 or >0.
// REQUIRES: both are non-empty strings of ASCII digits.
int CompareVersions(std::string_view a, std::string_view b);

// True when `s` is 1-20 ASCII digits.
bool IsVersion(std::string_view s);

}  // namespace migrate

#endif  // MIGRATE_NAMING_H_
