#pragma once

#include "bankledger.h"

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace grpc {
class Server;
class CallbackGenericService;
}  // namespace grpc

namespace testsupport {

// The test bank over gRPC: any method /busi.Busi/<Method>, raw bytes in and out, DTM metadata.
// OK = success, ABORTED = FAILURE, FAILED_PRECONDITION = ONGOING, UNAVAILABLE = error.
class GrpcBank
{
public:
    explicit GrpcBank(BankLedger &ledger);
    ~GrpcBank();

    // Sees every call as it arrives: full method name, metadata, request bytes. Before start().
    using Observer = std::function<void(const std::string &method,
                                        const std::multimap<std::string, std::string> &metadata,
                                        const std::string &body)>;
    void setObserver(Observer observer) { m_observer = std::move(observer); }
    int port() const { return m_port; }

    bool start();
    void stop();
    std::string endpoint(const std::string &method) const;  // grpc://127.0.0.1:PORT/busi.Busi/M

private:
    BankLedger &m_ledger;
    Observer m_observer;
    std::unique_ptr<grpc::CallbackGenericService> m_service;
    std::unique_ptr<grpc::Server> m_server;
    int m_port = 0;
};

}  // namespace testsupport
