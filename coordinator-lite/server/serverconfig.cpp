#include "serverconfig.h"

#include <absl/strings/str_cat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace coord::server {

namespace {

absl::Status fail(const std::string &path, const YAML::Node &node, const std::string &what)
{
    return absl::InvalidArgumentError(absl::StrCat(path, ":", node.Mark().line + 1, ": ", what));
}

absl::Status checkKeys(const std::string &path, const YAML::Node &map, const std::string &where,
                       const std::set<std::string> &known)
{
    if (!map.IsMap())
        return fail(path, map, where + " must be a mapping");
    for (const auto &kv : map) {
        std::string key = kv.first.as<std::string>();
        if (!known.count(key))
            return fail(path, kv.first,
                        absl::StrCat("unknown key ", where.empty() ? "" : where + ".", key));
    }
    return absl::OkStatus();
}

// auth.tokens: name, role and SHA-256 of each bearer token.
absl::Status readAuth(const std::string &path, const YAML::Node &auth, ServerOptions &o)
{
    if (auto s = checkKeys(path, auth, "auth", {"tokens"}); !s.ok())
        return s;
    for (const YAML::Node &t : auth["tokens"]) {
        if (auto s = checkKeys(path, t, "auth.tokens[]", {"name", "role", "sha256"}); !s.ok())
            return s;
        api::TokenEntry entry;
        entry.name = t["name"] ? t["name"].as<std::string>() : "";
        std::string role = t["role"] ? t["role"].as<std::string>() : "";
        entry.sha256Hex = t["sha256"] ? t["sha256"].as<std::string>() : "";
        if (entry.name.empty())
            return fail(path, t, "auth.tokens[].name is required");
        if (role == "viewer")
            entry.role = domain::Role::Viewer;
        else if (role == "operator")
            entry.role = domain::Role::Operator;
        else if (role == "admin")
            entry.role = domain::Role::Admin;
        else
            return fail(path, t, "auth.tokens[].role must be viewer, operator or admin");
        for (char &c : entry.sha256Hex)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (entry.sha256Hex.size() != 64
            || entry.sha256Hex.find_first_not_of("0123456789abcdef") != std::string::npos)
            return fail(path, t, "auth.tokens[].sha256 must be 64 hex digits (txctl hash-token T)");
        o.tokens.push_back(entry);
    }
    return absl::OkStatus();
}

// dtm.listen: DTM's HTTP server API.
absl::Status readDtm(const std::string &path, const YAML::Node &dtm, ServerOptions &o)
{
    if (auto s = checkKeys(path, dtm, "dtm", {"listen"}); !s.ok())
        return s;
    if (dtm["listen"] && !o.explicitFlags.count("--dtm-listen"))
        o.dtmListen = dtm["listen"].as<std::string>();
    return absl::OkStatus();
}

// tls: the certificate and key (PEM files) of both APIs.
absl::Status readTls(const std::string &path, const YAML::Node &tls, ServerOptions &o)
{
    if (auto s = checkKeys(path, tls, "tls", {"cert", "key"}); !s.ok())
        return s;
    o.tlsCert = tls["cert"] ? tls["cert"].as<std::string>() : "";
    o.tlsKey = tls["key"] ? tls["key"].as<std::string>() : "";
    if (o.tlsCert.empty() || o.tlsKey.empty())
        return fail(path, tls, "tls needs both cert and key");
    return absl::OkStatus();
}

// stuck: when an unfinished transaction is called stuck.
absl::Status readStuck(const std::string &path, const YAML::Node &st, ServerOptions &o)
{
    if (auto s =
            checkKeys(path, st, "stuck",
                      {"max_age_ms", "many_attempts", "repeated_errors", "unreachable_attempts"});
        !s.ok())
        return s;
    if (st["max_age_ms"])
        o.stuck.maxAgeMs = st["max_age_ms"].as<int64_t>();
    if (st["many_attempts"])
        o.stuck.manyAttempts = st["many_attempts"].as<int>();
    if (st["repeated_errors"])
        o.stuck.repeatedErrors = st["repeated_errors"].as<int>();
    if (st["unreachable_attempts"])
        o.stuck.unreachableAttempts = st["unreachable_attempts"].as<int>();
    return absl::OkStatus();
}

// engine: lease, prepared timeout, retry backoff.
absl::Status readEngine(const std::string &path, const YAML::Node &e, ServerOptions &o)
{
    if (auto s = checkKeys(path, e, "engine",
                           {"lease_ms", "prepared_timeout_ms", "max_backoff_ms"});
        !s.ok())
        return s;
    if (e["lease_ms"])
        o.leaseMs = e["lease_ms"].as<int64_t>();
    if (e["prepared_timeout_ms"])
        o.preparedTimeoutMs = e["prepared_timeout_ms"].as<int64_t>();
    if (e["max_backoff_ms"])
        o.maxBackoffMs = e["max_backoff_ms"].as<int64_t>();
    if (o.leaseMs < 1000)
        return fail(path, e, "engine.lease_ms must be at least 1000");
    if (o.maxBackoffMs < 100)
        return fail(path, e, "engine.max_backoff_ms must be at least 100");
    return absl::OkStatus();
}

// limits: per-client limits, keyed by the flags' names.
absl::Status readLimits(const std::string &path, const YAML::Node &l, ServerOptions &o)
{
    // limits.rate_limit is --rate-limit.
    const std::set<std::string> keys = {"max_watches_per_client", "max_watches", "rate_limit",
                                        "rate_burst"};
    if (auto s = checkKeys(path, l, "limits", keys); !s.ok())
        return s;
    for (const std::string &key : keys) {
        std::string flag = "--" + key;
        std::replace(flag.begin(), flag.end(), '_', '-');
        if (!l[key] || o.explicitFlags.count(flag))
            continue;
        const int n = l[key].as<int>();
        if (n < 0)
            return fail(path, l[key], absl::StrCat("limits.", key, " must be >= 0"));
        *limitFlag(o.limits, flag) = n;
    }
    return absl::OkStatus();
}

}  // namespace

absl::Status loadConfigFile(const std::string &path, ServerOptions &o)
{
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::BadFile &) {
        return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
    } catch (const YAML::Exception &e) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": ", e.what()));
    }
    if (root.IsNull())
        return absl::OkStatus();
    if (auto s = checkKeys(path, root, "",
                           {"listen", "db", "metrics_listen", "instance_id", "sqlite_sync", "auth",
                            "tls", "stuck", "engine", "limits", "dtm"});
        !s.ok())
        return s;
    try {
        auto str = [&](const char *key, const char *flag, std::string &target) {
            if (root[key] && !o.explicitFlags.count(flag))
                target = root[key].as<std::string>();
        };
        str("listen", "--listen", o.listen);
        str("db", "--db", o.db);
        str("metrics_listen", "--metrics-listen", o.metricsListen);
        str("instance_id", "--instance-id", o.instanceId);
        if (root["sqlite_sync"] && !o.explicitFlags.count("--sqlite-sync")) {
            std::string v = root["sqlite_sync"].as<std::string>();
            if (v != "full" && v != "normal")
                return fail(path, root["sqlite_sync"], "sqlite_sync must be full or normal");
            o.sqliteSyncFull = v == "full";
        }
        using Reader = absl::Status (*)(const std::string &, const YAML::Node &, ServerOptions &);
        for (auto [key, read] : {std::pair<const char *, Reader>{"auth", readAuth},
                                 {"dtm", readDtm},
                                 {"tls", readTls},
                                 {"stuck", readStuck},
                                 {"engine", readEngine},
                                 {"limits", readLimits}})
            if (const YAML::Node section = root[key])
                if (absl::Status s = read(path, section, o); !s.ok())
                    return s;
    } catch (const YAML::Exception &e) {
        return absl::InvalidArgumentError(absl::StrCat(path, ":", e.mark.line + 1, ": ", e.msg));
    }
    return absl::OkStatus();
}

}  // namespace coord::server
