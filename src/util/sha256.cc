// SHA-256 digests for item checksums.
#include "util/sha256.h"

// OpenSSL 3 marks the SHA256_* functions deprecated in favour of EVP, but
// they are the only way in that needs neither the library's initialisation
// nor a provider fetch: a run that checksums a few files would otherwise
// spend more on loading openssl.cnf and fetching the algorithm (millions of
// instructions, once per thread) than on the digests themselves. They use
// the same assembly (SHA extensions where the CPU has them) as EVP.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

namespace ratchet {

std::string Sha256Hex(std::string_view data) {
  SHA256_CTX context;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256_Init(&context);
  SHA256_Update(&context, data.data(), data.size());
  SHA256_Final(digest, &context);
  static const char kHex[] = "0123456789abcdef";
  std::string out(2 * SHA256_DIGEST_LENGTH, '0');
  for (size_t i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace ratchet
