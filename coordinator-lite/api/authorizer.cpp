#include "authorizer.h"

#include "auth/tokenhash.h"

#include <absl/strings/str_cat.h>
#include <grpcpp/server_context.h>
#include <openssl/crypto.h>

namespace coord::api {

using domain::Role;

Authorizer::Authorizer(std::vector<TokenEntry> tokens) : m_tokens(std::move(tokens)) {}

const TokenEntry *Authorizer::find(const grpc::ServerContextBase &context) const
{
    const auto &md = context.client_metadata();
    auto it = md.find("authorization");
    if (it == md.end())
        return nullptr;
    std::string_view value(it->second.data(), it->second.size());
    constexpr std::string_view bearer = "Bearer ";
    if (value.substr(0, bearer.size()) != bearer)
        return nullptr;
    return findToken(value.substr(bearer.size()));
}

const TokenEntry *Authorizer::findToken(std::string_view token) const
{
    const std::string hash = auth::tokenHashHex(token);
    for (const TokenEntry &t : m_tokens)  // compare every entry in constant time
        if (t.sha256Hex.size() == hash.size()
            && CRYPTO_memcmp(t.sha256Hex.data(), hash.data(), hash.size()) == 0)
            return &t;
    return nullptr;
}

std::string Authorizer::callerName(const grpc::ServerContextBase &context) const
{
    if (!enabled())
        return "local";
    const TokenEntry *t = find(context);
    return t ? t->name : "anonymous";
}

std::string Authorizer::callerNameOf(const std::string *token) const
{
    if (!enabled())
        return "local";
    const TokenEntry *t = token ? findToken(*token) : nullptr;
    return t ? t->name : "anonymous";
}

absl::StatusOr<domain::Actor> Authorizer::authorizeToken(const std::string *token, Role required,
                                                         std::string_view rpc) const
{
    if (!enabled())
        return domain::Actor{"local", Role::Admin};
    const TokenEntry *t = token ? findToken(*token) : nullptr;
    if (!t)
        return absl::UnauthenticatedError(
            token ? "the token is not valid"
                  : "a token is required: put it in the DtmServer URL "
                    "(http://dtm:TOKEN@host:port/api/dtmsvr) or send Authorization: Bearer TOKEN");
    if (static_cast<int>(t->role) < static_cast<int>(required))
        return absl::PermissionDeniedError(
            absl::StrCat(t->name, " (", domain::toString(t->role), ") may not call ",
                         std::string(rpc), "; it needs the ", domain::toString(required), " role"));
    return domain::Actor{t->name, t->role};
}

absl::StatusOr<domain::Actor> Authorizer::authorize(const grpc::ServerContextBase &context,
                                                    Role required, std::string_view rpc) const
{
    if (!enabled())
        return domain::Actor{"local", Role::Admin};
    const TokenEntry *t = find(context);
    if (!t) {
        bool present = context.client_metadata().count("authorization") > 0;
        return absl::UnauthenticatedError(present ? "the bearer token is not valid"
                                                  : "a bearer token is required "
                                                    "(metadata authorization: Bearer <token>)");
    }
    if (static_cast<int>(t->role) < static_cast<int>(required))
        return absl::PermissionDeniedError(
            absl::StrCat(t->name, " (", domain::toString(t->role), ") may not call ",
                         std::string(rpc), "; it needs the ", domain::toString(required), " role"));
    return domain::Actor{t->name, t->role};
}

}  // namespace coord::api
