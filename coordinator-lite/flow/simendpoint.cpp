#include "simendpoint.h"

#include "domain/identifiers.h"
#include "endpoint.h"

#include <cctype>
#include <charconv>
#include <cstdlib>

namespace coord::flow {

namespace {

bool parseProbability(std::string_view text, double *out)
{
    std::string s(text);
    char *end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || !end || *end || !(v >= 0.0 && v <= 1.0))
        return false;
    *out = v;
    return true;
}

bool parseInt(std::string_view text, int64_t *out)
{
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
    return ec == std::errc() && ptr == text.data() + text.size() && *out >= 0;
}

bool parseDurationMs(std::string_view text, int64_t *out)
{
    int64_t scale = 1;
    if (text.size() > 2 && text.substr(text.size() - 2) == "ms")
        text.remove_suffix(2);
    else if (text.size() > 1 && text.back() == 's') {
        text.remove_suffix(1);
        scale = 1000;
    }
    if (!parseInt(text, out) || *out > 3600 * 1000)
        return false;
    *out *= scale;
    return true;
}

}  // namespace

std::optional<SimSpec> parseSimEndpoint(std::string_view endpoint, std::string *error)
{
    if (schemeOf(endpoint) != Scheme::Sim) {
        *error = "not a sim:// endpoint";
        return std::nullopt;
    }
    std::string_view rest = endpoint.substr(endpoint.find("://") + 3);
    size_t q = rest.find('?');
    SimSpec spec;
    spec.name = std::string(rest.substr(0, q));
    if (spec.name.empty()) {
        *error = "sim:// endpoint needs a name, e.g. sim://bank";
        return std::nullopt;
    }
    if (!domain::isValidBranchId(spec.name)) {
        *error = std::string("sim:// name: ") + domain::kBranchIdRule + " expected";
        return std::nullopt;
    }
    if (q == std::string_view::npos)
        return spec;
    std::string_view query = rest.substr(q + 1);
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty())
            continue;
        size_t eq = pair.find('=');
        if (eq == std::string_view::npos) {
            *error = "sim:// parameter '" + std::string(pair) + "' needs a value";
            return std::nullopt;
        }
        std::string_view key = pair.substr(0, eq), value = pair.substr(eq + 1);
        bool ok = false;
        int64_t n = 0;
        if (key == "latency")
            ok = parseDurationMs(value, &spec.latencyMs);
        else if (key == "fail")
            ok = parseProbability(value, &spec.fail);
        else if (key == "ongoing")
            ok = parseProbability(value, &spec.ongoing);
        else if (key == "transient")
            ok = parseProbability(value, &spec.transient);
        else if (key == "hang")
            ok = parseProbability(value, &spec.hang);
        else if (key == "seed")
            ok = parseInt(value, &n), spec.seed = static_cast<uint64_t>(n);
        else if (key == "fail_first")
            ok = parseInt(value, &n) && n < 1000000, spec.failFirst = static_cast<int>(n);
        else if (key == "transient_first")
            ok = parseInt(value, &n) && n < 1000000, spec.transientFirst = static_cast<int>(n);
        else if (key == "ongoing_first")
            ok = parseInt(value, &n) && n < 1000000, spec.ongoingFirst = static_cast<int>(n);
        else {
            *error = "sim:// has no parameter '" + std::string(key)
                + "' (latency, fail, ongoing, transient, hang, fail_first, "
                  "transient_first, ongoing_first, seed)";
            return std::nullopt;
        }
        if (!ok) {
            *error = "sim:// parameter " + std::string(key) + "=" + std::string(value)
                + " is out of range or malformed";
            return std::nullopt;
        }
    }
    return spec;
}

}  // namespace coord::flow
