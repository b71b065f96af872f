#pragma once

#include "flowdocument.h"

#include <QByteArray>

namespace txdesk::document {

// *.txflow.json: {"flow": {...}, "layout": {"branch id": {"x":..,"y":..}}} with keys in a fixed
// order so that diffs stay small.
struct LoadedFlow {
    std::optional<FlowData> data;  // set only when the whole file was understood
    QString error;                 // names the problem otherwise
    bool hadLayout = false;
};

LoadedFlow loadFlowFile(const QByteArray &bytes);
// Fails (empty, with `error`) when a payload is not valid JSON: nothing half-written.
QByteArray saveFlowFile(const FlowData &data, QString *error);

// The flow as the coordinator reads it; nullopt (with issues naming the branch) when a payload
// is not valid JSON.
std::optional<coord::flow::FlowDefinition> toDefinition(
    const FlowData &data, std::vector<coord::flow::FlowIssue> *issues);

// A branch payload as compact JSON, or nothing with `error` saying why ("not valid JSON",
// "nested deeper than 256 levels"). The one way the console reads payload text.
std::optional<std::string> compactPayload(const QString &text, QString *error = nullptr);

// The flow section alone (what Submit takes), or empty with `error`.
QByteArray flowJson(const FlowData &data, QString *error);

}  // namespace txdesk::document
