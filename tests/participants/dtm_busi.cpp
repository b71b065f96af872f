// dtm_busi: DTM's test "busi" service as a process, for the DTM conformance suite. The test bank
// (accounts behind the sub-transaction barrier, faults scripted per method) over HTTP and gRPC,
// recording every request exactly as it arrived so a test can hold it against what dtm's server
// sends. Run: dtm_busi --db FILE; prints "listening on 127.0.0.1:HTTP grpc 127.0.0.1:GRPC".
//   ANY  /api/busi/<Method>      the bank (TransOut, TransIn, TransOutCompensate,
//   …Try/Confirm/Cancel) GET  /_requests              [{transport, method, path, query, headers,
//   body_base64, at_ms}] POST /_script                {"method": M, "results": ["FAILURE",
//   "ONGOING", "ERROR", "SLOW:300"]} POST /_balance               {"account": A, "balance": N}; GET
//   /_balance?account=A GET  /_effects?gid=G&op=OP   how many times (gid, op) took effect
#include "bankledger.h"
#include "grpcbank.h"

#include <absl/strings/escaping.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <iostream>
#include <mutex>
#include <thread>

namespace {

using Json = nlohmann::json;

int64_t steadyMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

class RequestLog
{
public:
    void add(Json entry)
    {
        entry["at_ms"] = steadyMs();
        std::lock_guard lock(m_mutex);
        m_entries.push_back(std::move(entry));
    }
    Json all()
    {
        std::lock_guard lock(m_mutex);
        return m_entries;
    }

private:
    std::mutex m_mutex;
    Json m_entries = Json::array();
};

}  // namespace

int main(int argc, char **argv)
{
    std::string db;
    for (int i = 1; i + 1 < argc; i += 2)
        if (std::string(argv[i]) == "--db")
            db = argv[i + 1];
    if (db.empty()) {
        std::cerr << "usage: dtm_busi --db FILE\n";
        return 2;
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);

    testsupport::BankLedger ledger(db);
    RequestLog log;
    testsupport::GrpcBank grpcBank(ledger);
    grpcBank.setObserver([&log](const std::string &method,
                                const std::multimap<std::string, std::string> &metadata,
                                const std::string &body) {
        Json md = Json::object();
        for (const auto &[k, v] : metadata)
            md[k] = v;
        log.add({{"transport", "grpc"},
                 {"method", "POST"},
                 {"path", method},
                 {"query", Json::object()},
                 {"headers", md},
                 {"body_base64", absl::Base64Escape(body)}});
    });
    if (!grpcBank.start()) {
        std::cerr << "dtm_busi: cannot listen for gRPC\n";
        return 1;
    }

    httplib::Server http;
    http.new_task_queue = [] { return new httplib::ThreadPool(64); };
    auto bank = [&](const httplib::Request &req, httplib::Response &res) {
        Json query = Json::object(), headers = Json::object();
        for (const auto &[k, v] : req.params)
            query[k] = v;
        for (const auto &[k, v] : req.headers)
            headers[k] = v;
        log.add({{"transport", "http"},
                 {"method", req.method},
                 {"path", req.path},
                 {"query", query},
                 {"headers", headers},
                 {"body_base64", absl::Base64Escape(req.body)}});
        coord::barrier::BarrierKey key{req.get_param_value("trans_type"),
                                       req.get_param_value("gid"), req.get_param_value("branch_id"),
                                       req.get_param_value("op")};
        testsupport::BankReply reply = ledger.handle(req.matches[1], key, req.body);
        if (reply.delayMs > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(reply.delayMs));
        using K = testsupport::BankReply::Kind;
        static const std::map<K, int> status = {{K::Success, 200},         {K::Failure, 409},
                                                {K::Ongoing, 425},         {K::Error, 500},
                                                {K::OldStyleFailure, 200}, {K::Garbage, 200}};
        res.status = status.at(reply.kind);
        res.set_content(reply.body, "application/json");
    };
    http.Post(R"(/api/busi/(\w+))", bank);
    http.Get(R"(/api/busi/(\w+))", bank);
    http.Get("/_requests", [&](const httplib::Request &, httplib::Response &res) {
        res.set_content(log.all().dump(), "application/json");
    });
    http.Post("/_script", [&](const httplib::Request &req, httplib::Response &res) {
        Json j = Json::parse(req.body, nullptr, false);
        if (!j.is_object() || !j.contains("method") || !j.contains("results")) {
            res.status = 400;
            return;
        }
        ledger.script(j["method"].get<std::string>(), j["results"].get<std::vector<std::string>>());
        res.set_content("{}", "application/json");
    });
    http.Post("/_balance", [&](const httplib::Request &req, httplib::Response &res) {
        Json j = Json::parse(req.body, nullptr, false);
        ledger.setBalance(j.value("account", ""), j.value("balance", int64_t{0}));
        res.set_content("{}", "application/json");
    });
    http.Get("/_balance", [&](const httplib::Request &req, httplib::Response &res) {
        const std::string account = req.get_param_value("account");
        res.set_content(
            Json{{"balance", ledger.balance(account)}, {"frozen", ledger.frozen(account)}}.dump(),
            "application/json");
    });
    http.Get("/_effects", [&](const httplib::Request &req, httplib::Response &res) {
        res.set_content(
            Json{{"effects", ledger.effects(req.get_param_value("gid"), req.get_param_value("op"))}}
                .dump(),
            "application/json");
    });
    const int port = http.bind_to_any_port("127.0.0.1");
    if (port <= 0) {
        std::cerr << "dtm_busi: cannot listen for HTTP\n";
        return 1;
    }
    std::thread server([&] { http.listen_after_bind(); });
    std::cout << "listening on 127.0.0.1:" << port << " grpc 127.0.0.1:" << grpcBank.port()
              << std::endl;
    int signal = 0;
    sigwait(&stop, &signal);
    http.stop();
    server.join();
    grpcBank.stop();
    return 0;
}
