#pragma once

#include <string>
#include <string_view>

namespace coord::auth {

// The SHA-256 of a bearer token in lower-case hex: what `auth.tokens[].sha256` holds and what
// `txctl hash-token` prints. The coordinator never stores a token itself.
std::string tokenHashHex(std::string_view token);

}  // namespace coord::auth
