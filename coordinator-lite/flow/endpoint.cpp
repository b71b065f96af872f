#include "endpoint.h"

#include "simendpoint.h"

#include <algorithm>

namespace coord::flow {

namespace {

constexpr std::string_view kGrpcPrefix = "grpc://";

bool startsWith(std::string_view text, std::string_view prefix)
{
    return text.substr(0, prefix.size()) == prefix;
}

bool validHostPort(std::string_view hostPort, bool portRequired)
{
    if (hostPort.empty())
        return false;
    size_t colon = hostPort.rfind(':');
    if (hostPort.front() == '[') {  // [ipv6]:port
        size_t close = hostPort.find(']');
        if (close == std::string_view::npos)
            return false;
        colon = close + 1 < hostPort.size() && hostPort[close + 1] == ':' ? close + 1
                                                                          : std::string_view::npos;
    }
    if (colon == std::string_view::npos)
        return !portRequired;
    std::string_view host = hostPort.substr(0, colon), port = hostPort.substr(colon + 1);
    if (host.empty() || port.empty() || port.size() > 5)
        return false;
    if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    int p = std::stoi(std::string(port));
    return p > 0 && p <= 65535;
}

std::string checkGrpcTarget(std::string_view rest)
{
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos)
        return "gRPC endpoint needs HOST:PORT/package.Service/Method";
    if (!validHostPort(rest.substr(0, slash), true))
        return "gRPC endpoint has a bad HOST:PORT '" + std::string(rest.substr(0, slash)) + "'";
    std::string_view method = rest.substr(slash + 1);
    size_t sep = method.find('/');
    if (sep == std::string_view::npos || sep == 0 || sep + 1 >= method.size()
        || method.find('/', sep + 1) != std::string_view::npos)
        return "gRPC endpoint needs the full method, package.Service/Method";
    return {};
}

}  // namespace

Scheme schemeOf(std::string_view e)
{
    if (startsWith(e, "http://") || startsWith(e, "https://"))
        return Scheme::Http;
    if (startsWith(e, "sim://"))
        return Scheme::Sim;
    if (startsWith(e, kGrpcPrefix) || e.find("://") == std::string_view::npos)
        return Scheme::Grpc;
    return Scheme::Unsupported;
}

std::string_view grpcTargetAndMethod(std::string_view e)
{
    return startsWith(e, kGrpcPrefix) ? e.substr(kGrpcPrefix.size()) : e;
}

std::string participantOf(std::string_view e)
{
    switch (schemeOf(e)) {
    case Scheme::Http: {
        std::string_view rest = e.substr(e.find("://") + 3);
        return std::string(rest.substr(0, rest.find_first_of("/?#")));
    }
    case Scheme::Grpc:
        return std::string(grpcHostPort(e));
    case Scheme::Sim:
        return std::string(e.substr(0, e.find_first_of("?#")));
    case Scheme::Unsupported:
        break;
    }
    return std::string(e);
}

std::string_view grpcHostPort(std::string_view e)
{
    std::string_view rest = grpcTargetAndMethod(e);
    return rest.substr(0, rest.find('/'));
}

std::string checkEndpoint(std::string_view e)
{
    if (e.empty())
        return "empty endpoint";
    if (e.size() > 2048)
        return "endpoint longer than 2048 characters";
    for (char c : e)
        if (static_cast<unsigned char>(c) <= 0x20)
            return "endpoint contains spaces or control characters";
    switch (schemeOf(e)) {
    case Scheme::Http: {
        std::string_view rest = e.substr(e.find("://") + 3);
        std::string_view hostPort = rest.substr(0, rest.find_first_of("/?#"));
        if (!validHostPort(hostPort, false))
            return "HTTP endpoint has a bad host or port '" + std::string(hostPort) + "'";
        return {};
    }
    case Scheme::Grpc:
        return checkGrpcTarget(grpcTargetAndMethod(e));
    case Scheme::Sim: {
        std::string error;
        return parseSimEndpoint(e, &error) ? std::string() : error;
    }
    case Scheme::Unsupported:
        break;
    }
    return "unsupported scheme in '" + std::string(e.substr(0, e.find("://")))
        + "' (http, https, grpc, sim)";
}

}  // namespace coord::flow
