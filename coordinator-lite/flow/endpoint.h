#pragma once

#include <string>
#include <string_view>

// Participant endpoints as flows and DTM's API write them: which transport a call takes, and
// whether the text is well formed. The one place that reads an endpoint's scheme.
namespace coord::flow {

enum class Scheme {
    Http,         // http://host[:port]/path, https://…
    Grpc,         // grpc://host:port/pkg.Svc/Method, or DTM's bare host:port/pkg.Svc/Method
    Sim,          // sim://name?params, the built-in simulated participant
    Unsupported,  // any other scheme://
};

Scheme schemeOf(std::string_view endpoint);

// HOST:PORT/pkg.Svc/Method of a gRPC endpoint (without grpc://), and its HOST:PORT part.
std::string_view grpcTargetAndMethod(std::string_view endpoint);
std::string_view grpcHostPort(std::string_view endpoint);

// Which participant an endpoint names, for figures per participant: HOST[:PORT] of an HTTP or
// gRPC endpoint, sim://NAME of a simulated one, the text itself otherwise.
std::string participantOf(std::string_view endpoint);

// Endpoint syntax for its scheme. Returns an error text, or "" when the endpoint is good.
std::string checkEndpoint(std::string_view endpoint);

}  // namespace coord::flow
