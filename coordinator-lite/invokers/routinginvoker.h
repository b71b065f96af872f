#pragma once

#include "engine/branchinvoker.h"
#include "flow/endpoint.h"

namespace coord::invokers {

// Sends each call to the invoker for its endpoint's scheme (flow::schemeOf).
class RoutingInvoker : public engine::BranchInvoker
{
public:
    RoutingInvoker(engine::BranchInvoker &http, engine::BranchInvoker &grpc,
                   engine::BranchInvoker &sim)
        : m_http(http), m_grpc(grpc), m_sim(sim)
    {}

    void invoke(engine::BranchCall call, Done done) override
    {
        switch (flow::schemeOf(call.endpoint)) {
        case flow::Scheme::Http:
            return m_http.invoke(std::move(call), std::move(done));
        case flow::Scheme::Sim:
            return m_sim.invoke(std::move(call), std::move(done));
        case flow::Scheme::Grpc:
        case flow::Scheme::Unsupported:  // checked at submit; the gRPC invoker names it
            return m_grpc.invoke(std::move(call), std::move(done));
        }
    }

private:
    engine::BranchInvoker &m_http;
    engine::BranchInvoker &m_grpc;
    engine::BranchInvoker &m_sim;
};

}  // namespace coord::invokers
