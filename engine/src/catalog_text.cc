// The canonical text and the JSON of catalog objects (catalog.h).
#include <nlohmann/json.hpp>

#include "migrate/catalog.h"
#include "migrate/error.h"

namespace migrate {
namespace {

// Appends `text` as it is when it is one plain word, else as a JSON string.
void AppendToken(const std::string& text, std::string& out) {
  bool bare = !text.empty() && text[0] != '"';
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
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += ch;
    }
  }
  out += '"';
}

// Reads one token of `line` at `pos`: a JSON string, or a word ending at a space (or, when
// `stop_at_equals`, at '='). Advances `pos` past it. Returns false when malformed.
bool ReadToken(std::string_view line, std::size_t& pos, bool stop_at_equals, std::string& out) {
  if (pos < line.size() && line[pos] == '"') {
    std::size_t end = pos + 1;
    while (end < line.size() && line[end] != '"') end += line[end] == '\\' ? 2 : 1;
    if (end >= line.size()) return false;
    try {
      out = nlohmann::json::parse(line.substr(pos, end + 1 - pos)).get<std::string>();
    } catch (const nlohmann::json::exception&) {
      return false;
    }
    pos = end + 1;
    return true;
  }
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
  return out.dump(2);
}

}  // namespace migrate
