#pragma once

#include "engine/branchinvoker.h"

namespace coord::invokers {

// Sends each call to the invoker for its endpoint's scheme: http(s), sim, else gRPC.
class RoutingInvoker : public engine::BranchInvoker
{
public:
    RoutingInvoker(engine::BranchInvoker &http, engine::BranchInvoker &grpc,
                   engine::BranchInvoker &sim)
        : m_http(http), m_grpc(grpc), m_sim(sim)
    {
    }

    void invoke(engine::BranchCall call, Done done) override
    {
        const std::string &e = call.endpoint;
        if (e.rfind("http://", 0) == 0 || e.rfind("https://", 0) == 0)
            m_http.invoke(std::move(call), std::move(done));
        else if (e.rfind("sim://", 0) == 0)
            m_sim.invoke(std::move(call), std::move(done));
        else
            m_grpc.invoke(std::move(call), std::move(done));
    }

private:
    engine::BranchInvoker &m_http;
    engine::BranchInvoker &m_grpc;
    engine::BranchInvoker &m_sim;
};

}  // namespace coord::invokers
