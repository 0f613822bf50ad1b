// Migration source text as bytes: where a byte offset is (line:column), whether the bytes are
// UTF-8, and the normalisation every file goes through before it is checksummed and bundled
// (one leading UTF-8 BOM stripped, every CRLF turned into LF; docs/design.md §2).
#ifndef MIGRATE_SOURCE_TEXT_H_
#define MIGRATE_SOURCE_TEXT_H_

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

}  // namespace migrate

#endif  // MIGRATE_SOURCE_TEXT_H_
