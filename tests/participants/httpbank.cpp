#include "httpbank.h"

#include <httplib.h>

namespace testsupport {

HttpBank::HttpBank(BankLedger &ledger) : m_ledger(ledger) {}

HttpBank::~HttpBank() { stop(); }

std::string HttpBank::url(const std::string &method) const
{
    return "http://127.0.0.1:" + std::to_string(m_port) + "/api/" + method;
}

bool HttpBank::start(int port)
{
    m_server = std::make_unique<httplib::Server>();
    // httplib serves a keep-alive connection on one pool thread for its life: enough threads
    // for every connection the coordinators keep open, or new ones wait out the keep-alive.
    m_server->new_task_queue = [] { return new httplib::ThreadPool(64); };
    m_stopping = false;
    m_server->Post(R"(/api/(\w+))", [this](const httplib::Request &req, httplib::Response &res) {
        coord::barrier::BarrierKey key{req.get_param_value("trans_type"),
                                       req.get_param_value("gid"), req.get_param_value("branch_id"),
                                       req.get_param_value("op")};
        BankReply reply = m_ledger.handle(req.matches[1], key, req.body);
        if (reply.delayMs > 0) {  // a slow participant; stopping the bank cuts it short
            std::unique_lock lock(m_mutex);
            m_stopped.wait_for(lock, std::chrono::milliseconds(reply.delayMs),
                               [this] { return m_stopping; });
        }
        static const std::map<BankReply::Kind, int> status = {
            {BankReply::Kind::Success, 200},         {BankReply::Kind::Failure, 409},
            {BankReply::Kind::Ongoing, 425},         {BankReply::Kind::Error, 500},
            {BankReply::Kind::OldStyleFailure, 200}, {BankReply::Kind::Garbage, 200}};
        res.status = status.at(reply.kind);
        res.set_content(reply.body, "application/json");
    });
    if (port == 0)
        m_port = m_server->bind_to_any_port("127.0.0.1");
    else
        m_port = m_server->bind_to_port("127.0.0.1", port) ? port : -1;
    if (m_port <= 0)
        return false;
    m_thread = std::thread([this] { m_server->listen_after_bind(); });
    return true;
}

void HttpBank::stop()
{
    if (!m_server)
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_stopped.notify_all();
    m_server->stop();
    if (m_thread.joinable())
        m_thread.join();
    m_server.reset();
}

}  // namespace testsupport
