// The check that ratchet never shows a target's password, using libpq's own
// reading of the connection string to find the password.
#ifndef RATCHET_FUZZ_PASSWORD_CHECKS_H_
#define RATCHET_FUZZ_PASSWORD_CHECKS_H_

#include <libpq-fe.h>

#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "ratchet/engine.h"

namespace ratchet::fuzz {

// Whether `shown` contains the password libpq reads from `conninfo`. Only a
// password of 6 bytes or more that no other part of the connection string
// contains can be told apart ("local" may be a password and a host name).
inline bool ShowsPassword(const std::string& conninfo, std::string_view shown) {
  if (conninfo.find('\0') != std::string::npos) return false;
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  PQfreemem(error);
  std::string password;
  for (PQconninfoOption* o = options; o && o->keyword; ++o) {
    if (std::string_view(o->keyword) == "password" && o->val) password = o->val;
  }
  bool elsewhere = false;
  for (PQconninfoOption* o = options; o && o->keyword; ++o) {
    if (std::string_view(o->keyword) != "password" && o->val &&
        std::string_view(o->val).find(password) != std::string_view::npos) {
      elsewhere = true;
    }
  }
  PQconninfoFree(options);
  return password.size() >= 6 && !elsewhere && shown.find(password) != std::string_view::npos;
}

inline void RequireNoPasswordShown(const Target& target) {
  if (target.kind == EngineKind::kPostgres && ShowsPassword(target.conninfo, target.display)) {
    Fail("a target display that shows the password", target.display);
  }
}

}  // namespace ratchet::fuzz

#endif  // RATCHET_FUZZ_PASSWORD_CHECKS_H_
