#include "flowfile.h"

#include "flow/jsondepth.h"

#include <nlohmann/json.hpp>

namespace txdesk::document {

using namespace coord::domain;
using OJson = nlohmann::ordered_json;

namespace {

// The flow section is the coordinator's normal form of the flow (one writer for both).
std::optional<OJson> flowObject(const FlowData &d, QString *error)
{
    std::vector<coord::flow::FlowIssue> issues;
    auto def = toDefinition(d, &issues);
    if (!def) {
        if (error)
            *error = issues.empty() ? QObject::tr("the flow cannot be written")
                                    : QString::fromStdString(issues.front().message);
        return std::nullopt;
    }
    return OJson::parse(coord::flow::toJson(*def));
}

}  // namespace

std::optional<coord::flow::FlowDefinition> toDefinition(const FlowData &data,
                                                        std::vector<coord::flow::FlowIssue> *issues)
{
    coord::flow::FlowDefinition def;
    def.name = data.name.toStdString();
    def.type = data.type;
    def.options = data.options;
    bool ok = true;
    for (size_t i = 0; i < data.branches.size(); ++i) {
        const BranchData &b = data.branches[i];
        coord::flow::FlowBranch fb;
        fb.id = b.id.toStdString();
        fb.name = b.name.toStdString();
        for (const QString &a : b.after)
            fb.after.push_back(a.toStdString());
        for (const auto &[op, endpoint] : b.endpoints)
            if (!endpoint.trimmed().isEmpty())
                fb.endpoints[op] = endpoint.trimmed().toStdString();
        QString why;
        auto payload = compactPayload(b.payload, &why);
        if (!payload) {
            ok = false;
            const std::string field = "flow.branches[" + std::to_string(i) + "].payload";
            if (issues)
                issues->push_back(
                    {coord::flow::FlowIssue::Severity::Error, field,
                     field + ": the payload of branch " + fb.id + " is " + why.toStdString(),
                     fb.id});
        } else {
            fb.payloadJson = std::move(*payload);
        }
        fb.payloadBase64 = b.payloadBase64.toStdString();
        fb.notRollbackable = b.notRollbackable;
        fb.requestTimeoutMs = b.requestTimeoutMs;
        fb.maxRetries = b.maxRetries;
        def.branches.push_back(std::move(fb));
    }
    if (!ok)
        return std::nullopt;
    return def;
}

QByteArray flowJson(const FlowData &data, QString *error)
{
    auto flow = flowObject(data, error);
    return flow ? QByteArray::fromStdString(flow->dump(2)) : QByteArray();
}

namespace {

// Not a branch id (those are letters, digits, '-', '_', '.'): the layout's one other entry.
constexpr const char *kExploreKey = "@explore";

OJson exploreJson(const ExploreChecks &checks)
{
    OJson invariants = OJson::array();
    for (const InvariantData &i : checks.invariants)
        invariants.push_back(i.url.isEmpty()
                                 ? OJson{{"db", i.dsn.toStdString()}, {"sql", i.sql.toStdString()}}
                                 : OJson{{"url", i.url.toStdString()}});
    OJson barriers = OJson::array();
    for (const QString &dsn : checks.barrierDsns)
        barriers.push_back(dsn.toStdString());
    return {{"invariants", invariants}, {"barriers", barriers}};
}

// Lenient: the explorer's checks are the console's own notes; what is not understood is dropped.
ExploreChecks exploreChecksOf(const nlohmann::json &j)
{
    ExploreChecks checks;
    if (!j.is_object())
        return checks;
    auto text = [](const nlohmann::json &o, const char *key) {
        const auto it = o.find(key);
        return it != o.end() && it->is_string() ? QString::fromStdString(it->get<std::string>())
                                                : QString();
    };
    if (const auto it = j.find("invariants"); it != j.end() && it->is_array())
        for (const auto &i : *it)
            if (i.is_object()) {
                InvariantData d{text(i, "db"), text(i, "sql"), text(i, "url")};
                if (!d.url.isEmpty() || (!d.dsn.isEmpty() && !d.sql.isEmpty()))
                    checks.invariants.push_back(d);
            }
    if (const auto it = j.find("barriers"); it != j.end() && it->is_array())
        for (const auto &b : *it)
            if (b.is_string())
                checks.barrierDsns << QString::fromStdString(b.get<std::string>());
    return checks;
}

}  // namespace

QByteArray saveFlowFile(const FlowData &data, QString *error)
{
    auto flow = flowObject(data, error);
    if (!flow)
        return {};
    OJson doc;
    doc["flow"] = *flow;
    OJson layout = OJson::object();
    for (const BranchData &b : data.branches)
        layout[b.id.toStdString()] = {{"x", b.pos.x()}, {"y", b.pos.y()}};
    if (data.explore != ExploreChecks())
        layout[kExploreKey] = exploreJson(data.explore);
    doc["layout"] = layout;
    return QByteArray::fromStdString(doc.dump(2) + "\n");
}

std::optional<std::string> compactPayload(const QString &text, QString *error)
{
    const std::string bytes = text.toStdString();
    if (std::string deep = coord::flow::checkJsonDepth(bytes); !deep.empty()) {
        if (error)
            *error = QObject::tr("nested deeper than %1 levels").arg(coord::flow::kMaxJsonDepth);
        return std::nullopt;
    }
    auto json = nlohmann::json::parse(bytes, nullptr, false);
    if (json.is_discarded()) {
        if (error)
            *error = QObject::tr("not valid JSON");
        return std::nullopt;
    }
    return json.dump();
}

LoadedFlow loadFlowFile(const QByteArray &bytes)
{
    LoadedFlow out;
    auto parsed = coord::flow::parseFlowStructure(bytes.toStdString());
    if (!parsed.flow) {
        const auto *e = parsed.firstError();
        out.error = e ? QString::fromStdString(e->message) : QObject::tr("not a flow file");
        return out;
    }
    nlohmann::json doc = nlohmann::json::parse(bytes.toStdString(), nullptr, false);
    const nlohmann::json *layout = nullptr;
    if (doc.is_object() && doc.contains("layout")) {
        if (!doc["layout"].is_object()) {
            out.error = QObject::tr("layout: expected an object of branch positions");
            return out;
        }
        layout = &doc["layout"];
        out.hadLayout = true;
    }
    FlowData d;
    if (layout && layout->contains(kExploreKey))
        d.explore = exploreChecksOf((*layout)[kExploreKey]);
    const auto &f = *parsed.flow;
    d.name = QString::fromStdString(f.name);
    d.type = f.type;
    d.options = f.options;
    for (const auto &fb : f.branches) {
        BranchData b;
        b.id = QString::fromStdString(fb.id);
        b.name = QString::fromStdString(fb.name);
        for (const auto &a : fb.after)
            b.after.append(QString::fromStdString(a));
        for (const auto &[op, endpoint] : fb.endpoints)
            b.endpoints[op] = QString::fromStdString(endpoint);
        b.payload = QString::fromStdString(nlohmann::json::parse(fb.payloadJson).dump(2));
        b.payloadBase64 = QString::fromStdString(fb.payloadBase64);
        b.notRollbackable = fb.notRollbackable;
        b.requestTimeoutMs = fb.requestTimeoutMs;
        b.maxRetries = fb.maxRetries;
        if (layout && layout->contains(fb.id)) {
            const auto &p = (*layout)[fb.id];
            if (!p.is_object() || !p.value("x", nlohmann::json()).is_number()
                || !p.value("y", nlohmann::json()).is_number()) {
                out.error =
                    QObject::tr("layout.%1: expected {\"x\": number, \"y\": number}").arg(b.id);
                return out;
            }
            b.pos = QPointF(p["x"].get<double>(), p["y"].get<double>());
        }
        d.branches.push_back(std::move(b));
    }
    out.data = std::move(d);
    return out;
}

}  // namespace txdesk::document
