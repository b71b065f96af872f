#include "flowfile.h"

#include <nlohmann/json.hpp>

namespace txdesk::flow {

using namespace coord::domain;
using OJson = nlohmann::ordered_json;

namespace {

std::optional<OJson> flowObject(const FlowData &d, QString *error)
{
    OJson flow;
    flow["name"] = d.name.toStdString();
    flow["type"] = toString(d.type);
    flow["options"] = {{"timeout_to_fail_ms", d.options.timeoutToFailMs},
                       {"retry_interval_ms", d.options.retryIntervalMs},
                       {"request_timeout_ms", d.options.requestTimeoutMs},
                       {"max_retries", d.options.maxRetries},
                       {"wait_result", d.options.waitResult}};
    OJson branches = OJson::array();
    for (const BranchData &b : d.branches) {
        OJson jb;
        jb["id"] = b.id.toStdString();
        if (!b.name.isEmpty())
            jb["name"] = b.name.toStdString();
        if (!b.after.isEmpty()) {
            OJson after = OJson::array();
            for (const QString &a : b.after)
                after.push_back(a.toStdString());
            jb["after"] = after;
        }
        for (OpKind op : coord::flow::opsFor(d.type))
            if (auto it = b.endpoints.find(op); it != b.endpoints.end() && !it->second.isEmpty())
                jb[toString(op)] = it->second.toStdString();
        OJson payload = OJson::parse(b.payload.toStdString(), nullptr, false);
        if (payload.is_discarded()) {
            if (error)
                *error = QObject::tr("the payload of branch %1 is not valid JSON").arg(b.id);
            return std::nullopt;
        }
        jb["payload"] = payload;
        if (!b.payloadBase64.isEmpty())
            jb["payload_base64"] = b.payloadBase64.toStdString();
        if (b.notRollbackable)
            jb["not_rollbackable"] = true;
        if (b.requestTimeoutMs > 0)
            jb["request_timeout_ms"] = b.requestTimeoutMs;
        if (b.maxRetries >= 0)
            jb["max_retries"] = b.maxRetries;
        branches.push_back(jb);
    }
    flow["branches"] = branches;
    return flow;
}

}  // namespace

QByteArray flowJson(const FlowData &data, QString *error)
{
    auto flow = flowObject(data, error);
    return flow ? QByteArray::fromStdString(flow->dump(2)) : QByteArray();
}

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
    doc["layout"] = layout;
    return QByteArray::fromStdString(doc.dump(2) + "\n");
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
                out.error = QObject::tr("layout.%1: expected {\"x\": number, \"y\": number}")
                                .arg(b.id);
                return out;
            }
            b.pos = QPointF(p["x"].get<double>(), p["y"].get<double>());
        }
        d.branches.push_back(std::move(b));
    }
    out.data = std::move(d);
    return out;
}

}  // namespace txdesk::flow
