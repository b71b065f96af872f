#pragma once

#include "engine/branchinvoker.h"

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>

namespace grpc {
class Channel;
template <class R, class W>
class TemplatedGenericStub;
class ByteBuffer;
}  // namespace grpc

namespace coord::invokers {

// gRPC participants through a generic stub: any service's unary method, raw payload bytes,
// DTM's dtm-* metadata. Channels are cached per target and live as long as the invoker, so a
// channel's last reference never drops on a gRPC thread.
class GrpcInvoker : public engine::BranchInvoker
{
public:
    GrpcInvoker();
    ~GrpcInvoker() override;  // cancels calls in flight and waits for their callbacks

    void invoke(engine::BranchCall call, Done done) override;

    // Splits grpc://host:port/pkg.Svc/Method or host:port/pkg.Svc/Method into target and
    // "/pkg.Svc/Method"; false when malformed.
    static bool parseEndpoint(const std::string &endpoint, std::string *target,
                              std::string *method);

private:
    struct Target;
    struct Call;
    Target &target(const std::string &address);

    std::mutex m_mutex;
    std::condition_variable m_idle;
    std::map<std::string, std::unique_ptr<Target>> m_targets;
    std::map<Call *, std::shared_ptr<Call>> m_inFlight;
};

}  // namespace coord::invokers
