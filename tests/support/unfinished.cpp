#include "unfinished.h"

#include <grpcpp/grpcpp.h>

namespace testsupport {

namespace pb = txdesk::v1;

bool waitAllFinished(pb::Coordinator::Stub &coordinator, std::chrono::seconds limit)
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        pb::ListRequest req;
        req.add_statuses(pb::PREPARED);
        req.add_statuses(pb::SUBMITTED);
        req.add_statuses(pb::ABORTING);
        req.set_limit(1);
        pb::ListReply reply;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        if (coordinator.List(&ctx, req, &reply).ok() && reply.transactions().empty())
            return true;
        grpc::ClientContext watch;
        watch.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
        pb::WatchRequest from;
        from.set_from_seq(reply.last_seq());
        auto reader = coordinator.Watch(&watch, from);
        pb::Event e;
        while (reader->Read(&e)) {
        }
        reader->Finish().IgnoreError();
    }
    return false;
}

std::string describeUnfinished(pb::Coordinator::Stub &coordinator, int limit)
{
    pb::ListRequest req;
    req.add_statuses(pb::PREPARED);
    req.add_statuses(pb::SUBMITTED);
    req.add_statuses(pb::ABORTING);
    req.set_limit(limit);
    pb::ListReply reply;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (auto s = coordinator.List(&ctx, req, &reply); !s.ok())
        return "cannot list the unfinished transactions: " + s.error_message();
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    std::string out = "unfinished:";
    for (const auto &t : reply.transactions()) {
        out += "\n  " + t.gid() + " status=" + pb::TxStatus_Name(t.status()) + " owner=" + t.owner()
            + " next_retry_in_ms=" + std::to_string(t.next_retry_ms() - now) + " lease_in_ms="
            + std::to_string(t.lease_expires_ms() - now) + " stuck=" + t.stuck_reason();
        pb::GetRequest get;
        get.set_gid(t.gid());
        pb::Transaction tx;
        grpc::ClientContext getCtx;
        getCtx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        if (coordinator.Get(&getCtx, get, &tx).ok())
            for (const auto &b : tx.branches())
                for (const auto &o : b.ops())
                    out += " " + b.id() + "/" + pb::OpKind_Name(o.op()) + ":"
                        + pb::OpStatus_Name(o.status()) + "x" + std::to_string(o.attempt_count());
    }
    return out;
}

}  // namespace testsupport
