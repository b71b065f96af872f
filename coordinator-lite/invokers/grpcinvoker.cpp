#include "grpcinvoker.h"

#include "responseclassifier.h"

#include "flow/endpoint.h"

#include <absl/strings/ascii.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

namespace coord::invokers {

struct GrpcInvoker::Target {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<grpc::GenericStub> stub;
};

struct GrpcInvoker::Call {
    grpc::ClientContext context;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
    Done done;
};

GrpcInvoker::GrpcInvoker() = default;

GrpcInvoker::~GrpcInvoker()
{
    std::unique_lock lock(m_mutex);
    for (auto &[raw, call] : m_inFlight)
        call->context.TryCancel();
    m_idle.wait(lock, [this] { return m_inFlight.empty(); });
}

bool GrpcInvoker::parseEndpoint(const std::string &endpoint, std::string *target,
                                std::string *method)
{
    const std::string rest(flow::grpcTargetAndMethod(endpoint));
    size_t slash = rest.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 >= rest.size())
        return false;
    *target = rest.substr(0, slash);
    *method = rest.substr(slash);
    return method->find('/', 1) != std::string::npos;
}

GrpcInvoker::Target &GrpcInvoker::target(const std::string &address)
{
    auto &slot = m_targets[address];
    if (!slot) {
        slot = std::make_unique<Target>();
        grpc::ChannelArguments args;
        args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
        slot->channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                                  args);
        slot->stub = std::make_unique<grpc::GenericStub>(slot->channel);
    }
    return *slot;
}

void GrpcInvoker::invoke(engine::BranchCall c, Done done)
{
    std::string address, method;
    auto call = std::make_shared<Call>();
    call->done = std::move(done);
    if (!parseEndpoint(c.endpoint, &address, &method)) {
        // Answer on another thread: invoke() must not call back before returning.
        std::thread([call, endpoint = c.endpoint] {
            engine::CallResult r;
            r.error = "malformed gRPC endpoint " + endpoint;
            call->done(r);
        }).detach();
        return;
    }
    call->context.set_deadline(std::chrono::system_clock::now()
                               + std::chrono::milliseconds(c.timeoutMs));
    call->context.AddMetadata("dtm-gid", c.gid);
    call->context.AddMetadata("dtm-trans_type", c.transType);
    call->context.AddMetadata("dtm-branch_id", c.branchId);
    call->context.AddMetadata("dtm-op", c.op);
    call->context.AddMetadata("dtm-dtm", "");
    for (const auto &[name, value] : c.headers)
        call->context.AddMetadata(absl::AsciiStrToLower(name), value);
    grpc::Slice slice(c.payload);
    call->request = grpc::ByteBuffer(&slice, 1);
    grpc::GenericStub *stub;
    {
        std::lock_guard lock(m_mutex);
        stub = target(address).stub.get();
        m_inFlight.emplace(call.get(), call);
    }
    stub->UnaryCall(&call->context, method, grpc::StubOptions(), &call->request, &call->response,
                    [this, raw = call.get()](grpc::Status status) {
                        std::shared_ptr<Call> self;
                        {
                            std::lock_guard lock(m_mutex);
                            auto it = m_inFlight.find(raw);
                            self = std::move(it->second);
                            m_inFlight.erase(it);
                        }
                        std::string body;
                        if (status.ok()) {
                            std::vector<grpc::Slice> slices;
                            if (self->response.Dump(&slices).ok())
                                for (const auto &s : slices)
                                    body.append(reinterpret_cast<const char *>(s.begin()),
                                                s.size());
                        }
                        engine::CallResult r = classifyGrpc(static_cast<int>(status.error_code()),
                                                            status.error_message(), body);
                        Done done = std::move(self->done);
                        self.reset();  // the context goes while the channel is still held
                        done(std::move(r));
                        std::lock_guard lock(m_mutex);
                        if (m_inFlight.empty())
                            m_idle.notify_all();
                    });
}

}  // namespace coord::invokers
