// Small text helpers shared by the engine and the drivers: byte offsets to line:column,
// UTF-8 validation, source normalisation and the SHA-256 checksum of DESIGN §2.
// The checksum rule is fixed forever: SHA-256 of the bytes after stripping one leading
// UTF-8 BOM and turning every CRLF into LF, as lowercase hex (golden vectors in tests).
#ifndef MIGRATE_TEXT_H_
#define MIGRATE_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace migrate {

struct LineColumn {
  int line = 1;    // 1-based
  int column = 1;  // 1-based, counted in bytes
};

// The line and column of byte `offset` in `text`. REQUIRES: offset <= text.size().
LineColumn LineColumnAt(std::string_view text, std::size_t offset);

// The byte offset of character `chars` (0-based, UTF-8) in `text`; PostgreSQL reports error
// positions in characters.
std::size_t CharToByteOffset(std::string_view text, std::size_t chars);

// Returns the byte offset of the first invalid UTF-8 sequence, or npos when valid.
std::size_t FindInvalidUtf8(std::string_view text);

// Strips one leading UTF-8 BOM and turns CRLF into LF.
std::string NormalizeSource(std::string_view raw);

// Lowercase hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

// SHA-256 of bytes given in pieces, for text too large to copy into one string.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  // Lowercase hex of everything given so far. REQUIRES: called once, last.
  std::string Hex();

 private:
  void* ctx_;  // EVP_MD_CTX
};

// True when `sql` holds nothing but whitespace and SQL comments.
bool IsBlankSql(std::string_view sql);

// Skips whitespace, `--` comments and `/* */` comments from `pos`; returns the new offset.
std::size_t SkipSqlTrivia(std::string_view sql, std::size_t pos = 0);

// SHA-256 of the token stream of `sql`: comments and whitespace dropped, unquoted words
// lowercased, quoted strings and identifiers kept exactly (quotes '', "", ``, [] and
// PostgreSQL dollar quotes). The SQLite dialect's fingerprint, and PostgreSQL's fallback.
std::string TokenFingerprint(std::string_view sql);

// Cuts `s` to at most `max` bytes on a UTF-8 boundary, adding "…" when cut; newlines become
// spaces. For quoting a statement in a message.
std::string Excerpt(std::string_view s, std::size_t max = 80);

}  // namespace migrate

#endif  // MIGRATE_TEXT_H_
