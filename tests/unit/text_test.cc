#include <catch2/catch.hpp>
#include <string>

#include "migrate/sha256.h"
#include "migrate/source_text.h"
#include "migrate/sql_text.h"

using namespace migrate;

// Golden vectors: the checksum rule is fixed forever (docs/design.md §2). Never change these.
TEST_CASE("checksum golden vectors", "[unit]") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex(NormalizeSource("CREATE TABLE t (id int);\n")) ==
        "12c83f983b0c94b9c7010dcc92149589d5fb01a3d32af8f6d699545d95db9040");
  // A BOM and CRLF line ends give the same checksum as the plain LF file.
  CHECK(Sha256Hex(NormalizeSource("\xEF\xBB\xBF"
                                  "CREATE TABLE t (id int);\r\n")) ==
        "12c83f983b0c94b9c7010dcc92149589d5fb01a3d32af8f6d699545d95db9040");
  // A lone CR is content, not a line end.
  CHECK(NormalizeSource("a\rb") == "a\rb");
}

TEST_CASE("line and column of a byte offset", "[unit]") {
  std::string s = "ab\ncd\n\nx";
  CHECK(LineColumnAt(s, 0).line == 1);
  CHECK(LineColumnAt(s, 4).line == 2);
  CHECK(LineColumnAt(s, 4).column == 2);
  CHECK(LineColumnAt(s, 7).line == 4);
  CHECK(LineColumnAt(s, 7).column == 1);
}

TEST_CASE("UTF-8 validation finds the first bad byte", "[unit]") {
  CHECK(FindInvalidUtf8("plain ascii") == std::string::npos);
  CHECK(FindInvalidUtf8("caf\xC3\xA9 \xE2\x82\xAC") == std::string::npos);
  CHECK(FindInvalidUtf8("caf\xE9!") == 3);        // Latin-1
  CHECK(FindInvalidUtf8("\xC0\xAF") == 0);        // overlong
  CHECK(FindInvalidUtf8("ab\xED\xA0\x80") == 2);  // surrogate
  CHECK(FindInvalidUtf8("ab\xE2\x82") == 2);      // truncated
}

TEST_CASE("blank SQL is whitespace, comments and semicolons", "[unit]") {
  CHECK(IsBlankSql(""));
  CHECK(IsBlankSql("  -- nothing\n/* at all */\n;\n"));
  CHECK_FALSE(IsBlankSql("-- x\nSELECT 1"));
  CHECK(Excerpt("  SELECT\n  1  ") == "SELECT 1");
}

TEST_CASE("token fingerprints ignore layout and comments, not values", "[unit]") {
  std::string a = TokenFingerprint("CREATE TABLE t (id int, name text DEFAULT 'x');");
  CHECK(TokenFingerprint(
            "-- a comment\ncreate   table T (\n  id INT,\n  name TEXT default 'x'\n);") == a);
  CHECK(TokenFingerprint("CREATE TABLE t (id int, name text DEFAULT 'y');") != a);
  CHECK(TokenFingerprint("CREATE TABLE \"T\" (id int, name text DEFAULT 'x');") != a);
  CHECK(TokenFingerprint("SELECT $$ a  b $$;") != TokenFingerprint("SELECT $$ a b $$;"));
}

TEST_CASE("SHA-256 in pieces equals SHA-256 of the whole", "[unit]") {
  Sha256 sha;
  sha.Update("ab");
  sha.Update("");
  sha.Update("c");
  std::string pieces = sha.Hex();
  CHECK(pieces == Sha256Hex("abc"));
  CHECK(pieces == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
