#include "jsonview.h"

#include "domain/types.h"

namespace txctl {

namespace pb = txdesk::v1;
using namespace coord::domain;

std::string typeName(pb::TxType type) { return std::string(toString(TxType(type))); }
std::string statusName(pb::TxStatus status) { return std::string(toString(TxStatus(status))); }
std::string opName(pb::OpKind op) { return std::string(toString(OpKind(op))); }
std::string opStatusName(pb::OpStatus status) { return std::string(toString(OpStatus(status))); }

Json toJson(const pb::TransactionSummary &s)
{
    Json j;
    j["gid"] = s.gid();
    j["type"] = typeName(s.type());
    j["status"] = statusName(s.status());
    j["business_key"] = s.business_key();
    j["flow_name"] = s.flow_name();
    j["origin"] = std::string(toString(TxOrigin(s.origin())));
    j["created_ms"] = s.created_ms();
    j["updated_ms"] = s.updated_ms();
    j["finished_ms"] = s.finished_ms();
    j["next_retry_ms"] = s.next_retry_ms();
    j["rollback_reason"] = s.rollback_reason();
    j["retry_paused"] = s.retry_paused();
    j["branch_count"] = s.branch_count();
    j["stuck_reason"] = s.stuck_reason();
    j["last_seq"] = s.last_seq();
    return j;
}

Json toJson(const pb::Attempt &a)
{
    Json j;
    j["started_ms"] = a.started_ms();
    j["ended_ms"] = a.ended_ms();
    j["outcome"] = std::string(toString(AttemptOutcome(a.outcome())));
    j["status_code"] = a.status_code();
    j["error"] = a.error();
    j["response_excerpt"] = a.response_excerpt();
    return j;
}

Json toJson(const pb::Transaction &t)
{
    Json j = toJson(t.summary());
    Json branches = Json::array();
    for (const pb::Branch &b : t.branches()) {
        Json jb;
        jb["id"] = b.id();
        jb["name"] = b.name();
        jb["after"] = Json(std::vector<std::string>(b.after().begin(), b.after().end()));
        jb["not_rollbackable"] = b.not_rollbackable();
        Json ops = Json::array();
        for (const pb::Operation &o : b.ops()) {
            Json jo;
            jo["op"] = opName(o.op());
            jo["endpoint"] = o.endpoint();
            jo["status"] = opStatusName(o.status());
            jo["attempt_count"] = o.attempt_count();
            Json attempts = Json::array();
            for (const pb::Attempt &a : o.attempts())
                attempts.push_back(toJson(a));
            jo["attempts"] = std::move(attempts);
            ops.push_back(std::move(jo));
        }
        jb["ops"] = std::move(ops);
        branches.push_back(std::move(jb));
    }
    j["branches"] = std::move(branches);
    return j;
}

Json toJson(const pb::Event &e)
{
    static const char *kinds[] = {"",
                                  "tx_created",
                                  "tx_status_changed",
                                  "op_status_changed",
                                  "attempt_finished",
                                  "operator_action"};
    Json j;
    j["seq"] = e.seq();
    j["at_ms"] = e.at_ms();
    j["kind"] = e.kind() >= 0 && e.kind() <= 5 ? kinds[e.kind()] : "unknown";
    j["gid"] = e.gid();
    j["status"] = statusName(e.summary().status());
    if (!e.branch_id().empty())
        j["branch_id"] = e.branch_id();
    if (e.op() != pb::OP_KIND_UNSPECIFIED)
        j["op"] = opName(e.op());
    if (e.op_status() != pb::OP_STATUS_UNSPECIFIED)
        j["op_status"] = opStatusName(e.op_status());
    if (e.has_attempt())
        j["attempt"] = toJson(e.attempt());
    if (!e.message().empty())
        j["message"] = e.message();
    return j;
}

Json toJson(const pb::ActionPlan &p)
{
    Json j;
    Json ops = Json::array();
    for (const auto &o : p.operations())
        ops.push_back({{"step", o.step()},
                       {"branch_id", o.branch_id()},
                       {"op", opName(o.op())},
                       {"endpoint", o.endpoint()}});
    j["operations"] = std::move(ops);
    j["not_rollbackable"] = std::vector<std::string>(p.not_rollbackable().begin(),
                                                     p.not_rollbackable().end());
    j["resulting_status"] = statusName(p.resulting_status());
    j["summary"] = p.summary();
    j["warnings"] = std::vector<std::string>(p.warnings().begin(), p.warnings().end());
    return j;
}

Json toJson(const pb::AuditEntry &a)
{
    Json j;
    j["id"] = a.id();
    j["at_ms"] = a.at_ms();
    j["who"] = a.who();
    j["role"] = a.role();
    j["action"] = a.action();
    j["gid"] = a.gid();
    j["branch_id"] = a.branch_id();
    j["reason"] = a.reason();
    j["state_before"] = a.state_before();
    j["state_after"] = a.state_after();
    j["outcome"] = a.outcome();
    j["detail"] = a.detail();
    return j;
}

}  // namespace txctl
