#pragma once

#include "domain/defaultaddress.h"

#include "txdesk/v1/coordinator.grpc.pb.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

// The client side of the coordinator's gRPC API, shared by txctl and the console: one channel
// with its TLS and token, the stubs, and call contexts with deadlines. No Qt.
namespace coord::client {

namespace pb = ::txdesk::v1;

struct ConnectionOptions {
    std::string address = domain::kDefaultAddress;
    std::string token;  // sent as `authorization: Bearer TOKEN` when not empty
    std::string caPem;  // TLS trusting this CA when not empty, plaintext otherwise
    // A long-lived connection (the console) keeps the channel alive while idle and reconnects
    // at most every max(reconnectMs, 1 s); a one-shot command (txctl) does neither.
    bool longLived = false;
    int reconnectMs = 1000;
};

class Connection
{
public:
    explicit Connection(ConnectionOptions options);

    const ConnectionOptions &options() const { return m_options; }
    pb::Coordinator::Stub &coordinator() { return *m_coordinator; }
    pb::Admin::Stub &admin() { return *m_admin; }

    // Puts the token and, unless `timeout` is zero, a deadline on a call.
    void prepare(grpc::ClientContext &context, std::chrono::milliseconds timeout) const;
    std::unique_ptr<grpc::ClientContext> context(std::chrono::milliseconds timeout) const;

private:
    ConnectionOptions m_options;
    std::shared_ptr<grpc::Channel> m_channel;
    std::unique_ptr<pb::Coordinator::Stub> m_coordinator;
    std::unique_ptr<pb::Admin::Stub> m_admin;
};

}  // namespace coord::client
