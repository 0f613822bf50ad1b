#include "migrate/naming.h"

#include <algorithm>
#include <cctype>

namespace migrate {
namespace {

constexpr std::size_t kMaxVersionDigits = 20;

bool IsSlugChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::optional<MigrationFileName> Fail(std::string* why, std::string message) {
  if (why) *why = std::move(message);
  return std::nullopt;
}

}  // namespace

const char* DirectionName(Direction direction) {
  return direction == Direction::kUp ? "up" : "down";
}

bool IsKnownDialect(std::string_view dialect) {
  return std::find(kDialects.begin(), kDialects.end(), dialect) != kDialects.end();
}

std::string KnownDialects() {
  std::string out;
  for (std::string_view d : kDialects) out += (out.empty() ? "" : ", ") + std::string(d);
  return out;
}

bool IsVersion(std::string_view s) {
  return !s.empty() && s.size() <= kMaxVersionDigits &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int CompareVersions(std::string_view a, std::string_view b) {
  auto strip = [](std::string_view s) {
    std::size_t i = s.find_first_not_of('0');
    return i == std::string_view::npos ? std::string_view{} : s.substr(i);
  };
  a = strip(a);
  b = strip(b);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::string MakeSlug(std::string_view name) {
  std::string slug;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && std::isalnum(u)) {
      slug.push_back(static_cast<char>(std::tolower(u)));
    } else if (!slug.empty() && slug.back() != '_') {
      slug.push_back('_');
    }
  }
  while (!slug.empty() && slug.back() == '_') slug.pop_back();
  return slug;
}

std::string PrintableName(std::string_view name) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b != 0x7f) {
      out += c;
    } else {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
  return out;
}

std::optional<MigrationFileName> ParseMigrationFileName(std::string_view name, std::string* why) {
  std::string variants;
  for (std::string_view d : kDialects) variants += (variants.empty() ? "." : "|.") + std::string(d);
  const std::string kExpected = "expected <version>_<slug>[" + variants +
                                "].<up|down>.sql, e.g. 20240101120000_create_users.up.sql";
  if (!EndsWith(name, ".sql")) return Fail(why, "not a .sql file");
  std::string_view rest = name.substr(0, name.size() - 4);
  MigrationFileName out;
  if (EndsWith(rest, ".up")) {
    out.direction = Direction::kUp;
    rest.remove_suffix(3);
  } else if (EndsWith(rest, ".down")) {
    out.direction = Direction::kDown;
    rest.remove_suffix(5);
  } else {
    return Fail(why, "the name does not end in .up.sql or .down.sql; " + std::string(kExpected));
  }
  for (std::string_view dialect : kDialects) {
    std::string suffix = "." + std::string(dialect);
    if (EndsWith(rest, suffix)) {
      out.dialect = dialect;
      rest.remove_suffix(suffix.size());
      break;
    }
  }
  std::size_t underscore = rest.find('_');
  if (underscore == std::string_view::npos) {
    return Fail(why, "no '_' between version and slug; " + std::string(kExpected));
  }
  std::string_view version = rest.substr(0, underscore);
  std::string_view slug = rest.substr(underscore + 1);
  if (!IsVersion(version)) {
    return Fail(why, "the version '" + std::string(version) + "' must be 1 to 20 digits; " +
                         std::string(kExpected));
  }
  if (slug.empty())
    return Fail(why, "the slug after the version is empty; " + std::string(kExpected));
  if (!std::all_of(slug.begin(), slug.end(), IsSlugChar)) {
    return Fail(why, "the slug '" + std::string(slug) +
                         "' may only hold letters, digits, '_', '-' and '.'");
  }
  out.version = version;
  out.slug = slug;
  return out;
}

}  // namespace migrate
