#include "migrate/text.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

#include "migrate/error.h"

namespace migrate {

LineColumn LineColumnAt(std::string_view text, std::size_t offset) {
  LineColumn lc;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++lc.line;
      lc.column = 1;
    } else {
      ++lc.column;
    }
  }
  return lc;
}

std::size_t CharToByteOffset(std::string_view text, std::size_t chars) {
  std::size_t offset = 0;
  for (std::size_t n = 0; n < chars && offset < text.size(); ++n) {
    ++offset;
    while (offset < text.size() && (static_cast<unsigned char>(text[offset]) & 0xC0) == 0x80) {
      ++offset;
    }
  }
  return offset;
}

std::size_t FindInvalidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    std::size_t len;
    unsigned int cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    bool overlong =
        (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

std::string NormalizeSource(std::string_view raw) {
  if (raw.substr(0, 3) == "\xEF\xBB\xBF") raw.remove_prefix(3);
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') continue;
    out.push_back(raw[i]);
  }
  return out;
}

namespace {

Error DigestFailed() {
  return Error(ErrorCode::kInternal, "OpenSSL could not compute a SHA-256 digest");
}

std::string ToHex(const unsigned char* digest, unsigned int len) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * len, '0');
  for (unsigned int i = 0; i < len; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xF];
  }
  return out;
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    throw DigestFailed();
  }
  return ToHex(digest, len);
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
    throw DigestFailed();
  }
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::Update(std::string_view bytes) {
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), bytes.data(), bytes.size()) != 1) {
    throw DigestFailed();
  }
}

std::string Sha256::Hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), digest, &len) != 1) throw DigestFailed();
  return ToHex(digest, len);
}

std::size_t SkipSqlTrivia(std::string_view sql, std::size_t pos) {
  while (pos < sql.size()) {
    char c = sql[pos];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++pos;
    } else if (sql.substr(pos, 2) == "--") {
      std::size_t nl = sql.find('\n', pos);
      pos = nl == std::string_view::npos ? sql.size() : nl + 1;
    } else if (sql.substr(pos, 2) == "/*") {
      std::size_t end = sql.find("*/", pos + 2);
      pos = end == std::string_view::npos ? sql.size() : end + 2;
    } else {
      break;
    }
  }
  return pos;
}

bool IsBlankSql(std::string_view sql) {
  std::size_t pos = SkipSqlTrivia(sql);
  // Stray semicolons alone are nothing to run either.
  while (pos < sql.size() && sql[pos] == ';') pos = SkipSqlTrivia(sql, pos + 1);
  return pos >= sql.size();
}

std::string TokenFingerprint(std::string_view sql) {
  std::string tokens;
  std::size_t i = 0;
  auto quoted = [&](char close) {
    std::size_t start = i++;
    while (i < sql.size()) {
      if (sql[i] == close) {
        if (close != ']' && i + 1 < sql.size() && sql[i + 1] == close) {
          i += 2;  // doubled quote inside
          continue;
        }
        ++i;
        break;
      }
      ++i;
    }
    return sql.substr(start, i - start);
  };
  while (i < sql.size()) {
    i = SkipSqlTrivia(sql, i);
    if (i >= sql.size()) break;
    char c = sql[i];
    std::string token;
    if (c == '\'' || c == '"' || c == '`') {
      token = quoted(c);
    } else if (c == '[') {
      token = quoted(']');
    } else if (c == '$') {
      std::size_t tag_end = sql.find('$', i + 1);
      std::string_view tag =
          tag_end == std::string_view::npos ? "" : sql.substr(i, tag_end - i + 1);
      bool is_tag = !tag.empty() && std::all_of(tag.begin() + 1, tag.end() - 1, [](char t) {
        return std::isalnum(static_cast<unsigned char>(t)) || t == '_';
      });
      std::size_t close = is_tag ? sql.find(tag, tag_end + 1) : std::string_view::npos;
      if (close != std::string_view::npos) {
        token = sql.substr(i, close + tag.size() - i);
        i = close + tag.size();
      } else {
        token = "$";
        ++i;
      }
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
               static_cast<unsigned char>(c) >= 0x80) {
      while (i < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_' ||
                                sql[i] == '$' || static_cast<unsigned char>(sql[i]) >= 0x80)) {
        token.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(sql[i]))));
        ++i;
      }
    } else {
      token = std::string(1, c);
      ++i;
    }
    tokens += token;
    tokens.push_back('\x1f');
  }
  return Sha256Hex(tokens);
}

std::string Excerpt(std::string_view s, std::size_t max) {
  std::size_t start = SkipSqlTrivia(s);
  s = s.substr(start);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  bool cut = s.size() > max;
  if (cut) {
    std::size_t end = max;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    s = s.substr(0, end);
  }
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  if (cut) out += "…";
  return out;
}

}  // namespace migrate
