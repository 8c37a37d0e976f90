// SHA-256 digests for item checksums.
#include "util/sha256.h"

#include <openssl/evp.h>

namespace ratchet {
namespace {

// The algorithm and a context, fetched once per thread: for a small input
// the implicit fetch of EVP_Digest costs more than the digest itself, and a
// large set checksums thousands of files.
class Sha256Context {
 public:
  Sha256Context() : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new()) {}
  ~Sha256Context() {
    EVP_MD_CTX_free(ctx_);
    EVP_MD_free(md_);
  }
  Sha256Context(const Sha256Context&) = delete;
  Sha256Context& operator=(const Sha256Context&) = delete;

  // Writes the digest of `data` to `digest`; returns its length, 0 on failure.
  unsigned int Digest(std::string_view data, unsigned char* digest) {
    unsigned int length = 0;
    if (md_ != nullptr && ctx_ != nullptr && EVP_DigestInit_ex(ctx_, md_, nullptr) == 1 &&
        EVP_DigestUpdate(ctx_, data.data(), data.size()) == 1 &&
        EVP_DigestFinal_ex(ctx_, digest, &length) == 1) {
      return length;
    }
    EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
    return length;
  }

 private:
  EVP_MD* md_;
  EVP_MD_CTX* ctx_;
};

}  // namespace

std::string Sha256Hex(std::string_view data) {
  thread_local Sha256Context context;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = context.Digest(data, digest);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

}  // namespace ratchet
