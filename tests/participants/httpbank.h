#pragma once

#include "bankledger.h"

#include <condition_variable>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace testsupport {

// The test bank over HTTP on 127.0.0.1, DTM style: POST
// /api/<Method>?gid=&trans_type=&branch_id=&op= 200 = success, 409 = FAILURE, 425 = ONGOING, 500 =
// error.
class HttpBank
{
public:
    explicit HttpBank(BankLedger &ledger);
    ~HttpBank();

    bool start(int port = 0);  // 0 = any free port
    void stop();
    int port() const { return m_port; }
    std::string url(const std::string &method) const;

private:
    BankLedger &m_ledger;
    std::unique_ptr<httplib::Server> m_server;
    std::thread m_thread;
    int m_port = 0;
    std::mutex m_mutex;
    std::condition_variable m_stopped;
    bool m_stopping = false;
};

}  // namespace testsupport
