#include "recordlookup.h"

#include "api/protoconvert.h"
#include "api/statusmapping.h"

#include <algorithm>
#include <future>

namespace coord::client {

namespace {
constexpr size_t kGidsPerCall = 1000;  // GetMany's limit
constexpr size_t kMinGidsPerCall = 100;
constexpr size_t kParallelCalls = 2;
}  // namespace

absl::StatusOr<std::map<std::string, domain::Transaction>> getRecords(
    Connection &connection, const std::vector<std::string> &gids, std::chrono::milliseconds timeout)
{
    // Calls of 100-1000 gids, two at a time: the coordinator reads each gid from its store, so
    // concurrent calls use its cores (the channel is thread-safe).
    const size_t perCall = std::clamp((gids.size() + kParallelCalls - 1) / kParallelCalls,
                                      kMinGidsPerCall, kGidsPerCall);
    auto call = [&](size_t first) -> absl::StatusOr<pb::GetManyReply> {
        pb::GetManyRequest request;
        for (size_t k = first; k < std::min(gids.size(), first + perCall); ++k)
            request.add_gids(gids[k]);
        pb::GetManyReply reply;
        auto context = connection.context(timeout);
        if (grpc::Status s = connection.coordinator().GetMany(context.get(), request, &reply);
            !s.ok())
            return api::fromGrpc(s);
        return reply;
    };
    std::map<std::string, domain::Transaction> records;
    for (size_t first = 0; first < gids.size(); first += perCall * kParallelCalls) {
        std::vector<std::future<absl::StatusOr<pb::GetManyReply>>> replies;
        for (size_t c = 0; c < kParallelCalls && first + c * perCall < gids.size(); ++c)
            replies.push_back(std::async(std::launch::async, call, first + c * perCall));
        absl::Status failed;
        for (auto &f : replies) {
            auto reply = f.get();
            if (!reply.ok()) {
                failed.Update(reply.status());
                continue;
            }
            for (const pb::Transaction &t : reply->transactions())
                records.emplace(t.summary().gid(), api::fromProto(t));
        }
        if (!failed.ok())
            return failed;
    }
    return records;
}

absl::StatusOr<bool> historyReaches(Connection &connection, int64_t sinceMs,
                                    std::chrono::milliseconds timeout)
{
    pb::GetManyRequest request;
    request.set_history_since_ms(sinceMs);
    pb::GetManyReply reply;
    auto context = connection.context(timeout);
    if (grpc::Status s = connection.coordinator().GetMany(context.get(), request, &reply); !s.ok())
        return api::fromGrpc(s);
    return reply.history_reaches();
}

}  // namespace coord::client
