#include "dtmjson.h"

#include "dtmservice.h"

#include <absl/strings/escaping.h>
#include <absl/time/time.h>

namespace coord::dtm {

using namespace domain;
using Json = nlohmann::json;

std::string dtmTime(int64_t ms)
{
    const absl::Time t = absl::FromUnixMillis(ms);
    const absl::TimeZone zone = absl::LocalTimeZone();
    std::string text = absl::FormatTime("%Y-%m-%dT%H:%M:%E*S%Ez", t, zone);
    if (zone.At(t).offset == 0 && text.size() > 6)
        text = text.substr(0, text.size() - 6) + "Z";  // Go writes UTC as Z
    return text;
}

Json globalJson(const TxSummary &s)
{
    Json j = Json::object();
    j["id"] = 0;
    j["create_time"] = dtmTime(s.createdMs);
    j["update_time"] = dtmTime(s.updatedMs);
    j["gid"] = s.gid;
    j["trans_type"] = DtmService::typeName(s.type);
    j["status"] = DtmService::statusName(s.status);
    j["protocol"] = s.origin == TxOrigin::DtmGrpc ? "grpc" : "http";
    if (s.status == TxStatus::Succeeded && s.finishedMs > 0)
        j["finish_time"] = dtmTime(s.finishedMs);
    if (s.status == TxStatus::Failed && s.finishedMs > 0)
        j["rollback_time"] = dtmTime(s.finishedMs);
    if (!s.rollbackReason.empty())
        j["rollback_reason"] = s.rollbackReason;
    if (s.nextRetryMs > 0 && !isFinal(s.status))
        j["next_cron_time"] = dtmTime(s.nextRetryMs);
    if (!s.owner.empty())
        j["owner"] = s.owner;
    j["concurrent"] = false;
    // What DTM does not have, for a client that wants it: where it came from, why it is stuck.
    j["txdesk_origin"] = toString(s.origin);
    if (!s.stuckReason.empty())
        j["txdesk_stuck_reason"] = s.stuckReason;
    return j;
}

Json globalJson(const Transaction &tx)
{
    Json j = globalJson(tx.summary);
    const TxOptions &o = tx.options;
    Json options = Json::object();
    if (o.waitResult)
        options["wait_result"] = true;
    if (o.timeoutToFailMs > 0)
        options["timeout_to_fail"] = o.timeoutToFailMs / 1000;
    if (o.requestTimeoutMs > 0)
        options["request_timeout"] = o.requestTimeoutMs / 1000;
    if (o.retryIntervalMs > 0)
        options["retry_interval"] = o.retryIntervalMs / 1000;
    if (!o.branchHeaders.empty())
        options["branch_headers"] = o.branchHeaders;
    options["concurrent"] = false;
    if (o.maxRetries > 0)
        options["retry_limit"] = o.maxRetries;
    j["options"] = options.dump();
    j["next_cron_interval"] = o.retryIntervalMs / 1000;
    return j;
}

Json branchesJson(const Transaction &tx)
{
    Json rows = Json::array();
    const bool saga = tx.summary.type == TxType::Saga;
    const OpKind undo = saga ? OpKind::Compensate : OpKind::Cancel;
    const OpKind forward = saga ? OpKind::Action : OpKind::Confirm;
    for (const Branch &b : tx.branches) {
        for (OpKind op : {undo, forward}) {
            const Operation *o = b.find(op);
            Json row = Json::object();
            row["id"] = 0;
            row["create_time"] = dtmTime(tx.summary.createdMs);
            int64_t updated = tx.summary.createdMs;
            if (o && !o->attempts.empty())
                updated = std::max(o->attempts.back().endedMs, o->attempts.back().startedMs);
            row["update_time"] = dtmTime(updated);
            row["gid"] = tx.summary.gid;
            if (o && !o->endpoint.empty())
                row["url"] = o->endpoint;
            if (!b.payload.empty())
                row["bin_data"] = absl::Base64Escape(b.payload);
            row["branch_id"] = b.id;
            row["op"] = toString(op);
            std::string status = "prepared";
            if (!o)  // no URL: DTM counts the call as made once the step is reached
                status = op == forward && tx.summary.status != TxStatus::Prepared
                        && (!saga || tx.dependenciesDone(b, OpKind::Action))
                    ? "succeed"
                    : "prepared";
            else if (o->status == OpStatus::Succeeded || o->status == OpStatus::Skipped)
                status = "succeed";
            else if (o->status == OpStatus::Failed)
                status = "failed";
            row["status"] = status;
            if (status == "succeed")
                row["finish_time"] = dtmTime(updated);
            rows.push_back(std::move(row));
        }
    }
    return rows;
}

}  // namespace coord::dtm
