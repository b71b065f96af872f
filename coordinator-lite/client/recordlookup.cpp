#include "recordlookup.h"

#include "api/protoconvert.h"
#include "api/statusmapping.h"

#include <algorithm>

namespace coord::client {

namespace {
constexpr size_t kGidsPerCall = 1000;
}

absl::StatusOr<std::map<std::string, domain::Transaction>> getRecords(
    Connection &connection, const std::vector<std::string> &gids, std::chrono::milliseconds timeout)
{
    std::map<std::string, domain::Transaction> records;
    for (size_t i = 0; i < gids.size(); i += kGidsPerCall) {
        pb::GetManyRequest request;
        for (size_t k = i; k < std::min(gids.size(), i + kGidsPerCall); ++k)
            request.add_gids(gids[k]);
        pb::GetManyReply reply;
        auto context = connection.context(timeout);
        if (grpc::Status s = connection.coordinator().GetMany(context.get(), request, &reply);
            !s.ok())
            return api::fromGrpc(s);
        for (const pb::Transaction &t : reply.transactions())
            records.emplace(t.summary().gid(), api::fromProto(t));
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
