// SHA-256 (OpenSSL's EVP) as lowercase hex: the checksum of every migration file, the
// manifest's digests and the fingerprints. The checksum rule is fixed forever (golden vectors
// in tests/unit/text_test.cc; docs/design.md §2).
#ifndef MIGRATE_SHA256_H_
#define MIGRATE_SHA256_H_

#include <string>
#include <string_view>

namespace migrate {

// Lowercase hex SHA-256 of `bytes`. Throws Error(kInternal) if OpenSSL fails.
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

}  // namespace migrate

#endif  // MIGRATE_SHA256_H_
