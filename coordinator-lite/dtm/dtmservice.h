#pragma once

#include "dtmrequest.h"

#include "domain/operator.h"
#include "domain/types.h"

#include <functional>
#include <optional>
#include <string>

namespace coord::storage {
class Store;
}
namespace coord::engine {
class Engine;
}

namespace coord::dtm {

// A DTM API answer before it is put on a wire (dtmutil/utils.go WrapHandler2,
// dtmgrpc/type.go DtmError2GrpcError).
struct DtmAnswer {
    enum class Kind {
        Success,  // HTTP 200, gRPC OK
        Failure,  // HTTP 409 {"dtm_result":"FAILURE"}, gRPC ABORTED
        Ongoing,  // HTTP 425 {"dtm_result":"ONGOING"}, gRPC FAILED_PRECONDITION
        Error,    // HTTP 500 {"message"}, gRPC UNKNOWN (or the status below)
        Invalid,  // a malformed request: HTTP 500 as DTM (400 for registerBranch), INVALID_ARGUMENT
        Unauthenticated,
        PermissionDenied,
        Unavailable,  // shutting down, the database unreachable, a rate limit
    };
    Kind kind = Kind::Success;
    std::string message;  // for Failure, without DTM's trailing " FAILURE" (the wire adds it)
    std::string gid;      // newGid

    static DtmAnswer success() { return {}; }
    static DtmAnswer failure(std::string m) { return {Kind::Failure, std::move(m), {}}; }
    static DtmAnswer error(std::string m) { return {Kind::Error, std::move(m), {}}; }
    static DtmAnswer fromStatus(const absl::Status &status);
    // DTM ends failure messages with "FAILURE" (its ErrFailure); once, not twice.
    std::string failureText() const;
};

// The use-cases of DTM's server API for SAGA and TCC, on the engine every native transaction
// runs on; protocol-neutral, so the HTTP and gRPC adapters only translate. Behaviour follows
// dtmsvr/api.go (prepare, submit, abort, registerBranch) and trans_process.go (wait_result).
class DtmService
{
public:
    using Reply = std::function<void(DtmAnswer)>;

    DtmService(storage::Store &store, engine::Engine &engine, flow::FlowLimits limits = {});

    DtmAnswer newGid();
    void prepare(const DtmTrans &trans, domain::TxOrigin origin, Reply reply);
    void submit(const DtmTrans &trans, domain::TxOrigin origin, Reply reply);
    void abort(const DtmTrans &trans, Reply reply);
    void registerBranch(const DtmBranch &branch, Reply reply);
    // forceStop: DTM's mark failed, no compensation; admin only, audited.
    void forceStop(const std::string &gid, const domain::Actor &actor, Reply reply);
    // resetNextCronTime: retry now.
    void resetNextCronTime(const std::string &gid, const domain::Actor &actor, Reply reply);

    // query: the transaction with its branches, nothing (not an error) for an unknown gid.
    absl::StatusOr<std::optional<domain::Transaction>> query(const std::string &gid);
    absl::StatusOr<domain::ListPage> all(const domain::ListQuery &query);

    // prepare, submit, abort and registerBranch read the store before they hand over to the
    // engine: true when that read may wait on a database server.
    bool readsBlock() const;

    // A DTM client's view of the status names and types (dtmcli/consts.go).
    static std::string statusName(domain::TxStatus status);
    static std::optional<domain::TxStatus> statusFromName(std::string_view name);
    static std::string typeName(domain::TxType type);

private:
    void submitSaga(const DtmTrans &trans, domain::TxOrigin origin, Reply reply);
    void submitTcc(const DtmTrans &trans, Reply reply);
    // The stored transaction, or (answered through `reply`) why there is none.
    std::optional<domain::Transaction> stored(const std::string &gid, const Reply &reply);
    // A Failure naming what is supported, for msg, xa, workflow and anything else.
    static std::optional<DtmAnswer> refuseType(const std::string &transType,
                                               std::initializer_list<const char *> accepted);

    storage::Store &m_store;
    engine::Engine &m_engine;
    flow::FlowLimits m_limits;
};

}  // namespace coord::dtm
