#pragma once

#include "bankledger.h"

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

    bool start();
    void stop();
    std::string endpoint(const std::string &method) const;  // grpc://127.0.0.1:PORT/busi.Busi/M

private:
    BankLedger &m_ledger;
    std::unique_ptr<grpc::CallbackGenericService> m_service;
    std::unique_ptr<grpc::Server> m_server;
    int m_port = 0;
};

}  // namespace testsupport
