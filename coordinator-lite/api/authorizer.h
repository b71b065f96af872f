#pragma once

#include "domain/operator.h"

#include <absl/status/statusor.h>

#include <string>
#include <string_view>
#include <vector>

namespace grpc {
class ServerContextBase;
}

namespace coord::api {

// A configured bearer token: its name (shown in the audit log), role and SHA-256 (hex).
struct TokenEntry {
    std::string name;
    domain::Role role = domain::Role::Viewer;
    std::string sha256Hex;
};

// Maps the `authorization: Bearer <token>` metadata to an actor with a role. With no tokens
// configured every caller is "local" with full rights (allowed on loopback only).
class Authorizer
{
public:
    explicit Authorizer(std::vector<TokenEntry> tokens = {});

    bool enabled() const { return !m_tokens.empty(); }
    absl::StatusOr<domain::Actor> authorize(const grpc::ServerContextBase &context,
                                            domain::Role required, std::string_view rpc) const;
    // The same for a token that came another way (the DTM HTTP API's Basic or Bearer
    // credentials); `token` is null when the caller sent none.
    absl::StatusOr<domain::Actor> authorizeToken(const std::string *token, domain::Role required,
                                                 std::string_view rpc) const;
    std::string callerNameOf(const std::string *token) const;
    // Who the caller claims to be, for auditing a refusal ("anonymous" without a valid token).
    std::string callerName(const grpc::ServerContextBase &context) const;

private:
    const TokenEntry *find(const grpc::ServerContextBase &context) const;
    const TokenEntry *findToken(std::string_view token) const;
    std::vector<TokenEntry> m_tokens;
};

}  // namespace coord::api
