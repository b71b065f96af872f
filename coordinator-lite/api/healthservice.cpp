#include "healthservice.h"

#include "streamcall.h"

namespace coord::api {
namespace {

using Service = ::grpc::health::v1::Health::AsyncService;
using Request = ::grpc::health::v1::HealthCheckRequest;
using Response = ::grpc::health::v1::HealthCheckResponse;

// Watch: the status once, then the stream stays open until the client leaves or the server
// stops (the status does not change while the server runs).
class HealthWatch final : public StreamCall<Response>
{
public:
    static void ask(RpcLoop &loop, Service &service, const HealthService &health)
    {
        auto *call = new HealthWatch(loop, service, health);
        StreamCall::ask(call, service, &Service::RequestWatch, &call->m_request);
    }

private:
    HealthWatch(RpcLoop &loop, Service &service, const HealthService &health)
        : StreamCall(loop), m_service(service), m_health(health)
    {}

    void started() override
    {
        ask(m_loop, m_service, m_health);
        m_response.set_status(m_health.knows(m_request.service()) ? Response::SERVING
                                                                  : Response::SERVICE_UNKNOWN);
        write(m_response);
    }
    void writable() override {}

    Service &m_service;
    const HealthService &m_health;
    Request m_request;
    Response m_response;
};

}  // namespace

void HealthService::serveOn(RpcLoop &loop)
{
    loop.unary(
        &m_async, &Service::RequestCheck,
        [this](RpcContext *context, const Request *request, Response *response) {
            UnaryReactor *reactor = context->DefaultReactor();
            if (!knows(request->service())) {
                reactor->Finish({grpc::StatusCode::NOT_FOUND, "unknown service"});
                return reactor;
            }
            response->set_status(Response::SERVING);
            reactor->Finish(grpc::Status::OK);
            return reactor;
        },
        RpcLoop::Run::Inline);
    loop.serve([&loop, this] { HealthWatch::ask(loop, m_async, *this); });
}

}  // namespace coord::api
