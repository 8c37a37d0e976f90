// SHA-256 through OpenSSL, as lower-case hex.
#ifndef RATCHET_SRC_UTIL_SHA256_H_
#define RATCHET_SRC_UTIL_SHA256_H_

#include <string>
#include <string_view>

namespace ratchet {

std::string Sha256Hex(std::string_view data);

}  // namespace ratchet

#endif  // RATCHET_SRC_UTIL_SHA256_H_
