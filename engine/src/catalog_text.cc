// The canonical text and the JSON of catalog objects (catalog.h).
#include <nlohmann/json.hpp>

#include "migrate/catalog.h"
#include "migrate/error.h"
#include "migrate/source_text.h"

namespace migrate {
namespace {

// Appends `text` as it is when it is one plain word, else in double quotes with \" \\ \n \t
// escaped, and \xHH for every other control byte and, when `text` is not valid UTF-8, every
// byte above 0x7f: a value the database holds in any encoding round-trips exactly.
void AppendToken(const std::string& text, std::string& out) {
  bool utf8 = FindInvalidUtf8(text) == std::string::npos;
  bool bare = utf8 && !text.empty() && text[0] != '"';
  for (char ch : text) bare = bare && static_cast<unsigned char>(ch) > ' ' && ch != '\\';
  if (bare) {
    out += text;
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char ch : text) {
    unsigned char u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f || (u >= 0x80 && !utf8)) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += ch;
    }
  }
  out += '"';
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads a quoted token at `pos` (which holds '"'); false when malformed.
bool ReadQuoted(std::string_view line, std::size_t& pos, std::string& out) {
  out.clear();
  for (std::size_t i = pos + 1; i < line.size(); ++i) {
    char c = line[i];
    if (c == '"') {
      pos = i + 1;
      return true;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= line.size()) return false;
    char e = line[i];
    if (e == '"' || e == '\\') {
      out += e;
    } else if (e == 'n') {
      out += '\n';
    } else if (e == 't') {
      out += '\t';
    } else if (e == 'x' && i + 2 < line.size() && HexDigit(line[i + 1]) >= 0 &&
               HexDigit(line[i + 2]) >= 0) {
      out += static_cast<char>(HexDigit(line[i + 1]) * 16 + HexDigit(line[i + 2]));
      i += 2;
    } else {
      return false;
    }
  }
  return false;
}

// Reads one token of `line` at `pos`: a quoted one, or a word ending at a space (or, when
// `stop_at_equals`, at '='). Advances `pos` past it. Returns false when malformed.
bool ReadToken(std::string_view line, std::size_t& pos, bool stop_at_equals, std::string& out) {
  if (pos < line.size() && line[pos] == '"') return ReadQuoted(line, pos, out);
  std::size_t end = pos;
  while (end < line.size() && line[end] != ' ' && !(stop_at_equals && line[end] == '=')) ++end;
  out = std::string(line.substr(pos, end - pos));
  pos = end;
  return !out.empty();
}

Error NotCanonical(int line) {
  return Error(ErrorCode::kDrift, "the stored schema snapshot is not canonical text at line " +
                                      std::to_string(line) +
                                      "; was the schema table edited by hand? Take a new one "
                                      "with 'migrate drift --accept'");
}

CatalogObject ParseLine(std::string_view line, int number) {
  CatalogObject o;
  std::size_t pos = 0;
  if (!ReadToken(line, pos, false, o.kind) || pos >= line.size() || line[pos] != ' ') {
    throw NotCanonical(number);
  }
  ++pos;
  if (!ReadToken(line, pos, false, o.name)) throw NotCanonical(number);
  while (pos < line.size()) {
    std::string key, value;
    if (line[pos] != ' ' || !ReadToken(line, ++pos, true, key) || pos >= line.size() ||
        line[pos] != '=' || !ReadToken(line, ++pos, false, value)) {
      throw NotCanonical(number);
    }
    o.attributes.emplace_back(std::move(key), std::move(value));
  }
  return o;
}

}  // namespace

std::string RenderCanonical(const std::vector<CatalogObject>& objects) {
  std::string out;
  for (const CatalogObject& o : objects) {
    AppendToken(o.kind, out);
    out += ' ';
    AppendToken(o.name, out);
    for (const auto& [key, value] : o.attributes) {
      out += ' ';
      out += key;
      out += '=';
      AppendToken(value, out);
    }
    out += '\n';
  }
  return out;
}

std::vector<CatalogObject> ParseCanonical(std::string_view text) {
  std::vector<CatalogObject> out;
  int number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    ++number;
    if (end > pos) out.push_back(ParseLine(text.substr(pos, end - pos), number));
    pos = end + 1;
  }
  return out;
}

std::string RenderCatalogJson(const std::vector<CatalogObject>& objects) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const CatalogObject& o : objects) {
    nlohmann::ordered_json attributes = nlohmann::ordered_json::object();
    for (const auto& [key, value] : o.attributes) attributes[key] = value;
    out.push_back({{"kind", o.kind}, {"name", o.name}, {"attributes", attributes}});
  }
  // A value the database holds in another encoding is shown with U+FFFD, not refused.
  return out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace migrate
