// bench_participant: the fastest honest DTM-style HTTP participant, for coordinator_bench.
// POST /api/<anything> answers 200 {"dtm_result":"SUCCESS"} at once; GET /stats answers the number
// of POSTs served so far. Keep-alive connections are kept open (each holds one pool thread while
// open, so the pool must be larger than the number of concurrent connections).
//
//   bench_participant [--listen HOST:PORT] [--threads N]     prints "listening on HOST:PORT"
#include <httplib.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <pthread.h>
#include <string>
#include <thread>

int main(int argc, char **argv)
{
    std::string host = "127.0.0.1";
    int port = 0;
    size_t threads = 256;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "bench_participant: " << a << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--listen") {
            std::string v = value();
            size_t colon = v.rfind(':');
            if (colon == std::string::npos) {
                std::cerr << "bench_participant: --listen HOST:PORT expected\n";
                return 2;
            }
            host = v.substr(0, colon);
            port = std::atoi(v.c_str() + colon + 1);
        } else if (a == "--threads") {
            threads = static_cast<size_t>(std::max(1, std::atoi(value().c_str())));
        } else if (a == "--help" || a == "-h") {
            std::cout << "usage: bench_participant [--listen HOST:PORT] [--threads N]\n"
                         "  POST /api/<anything> -> 200 {\"dtm_result\":\"SUCCESS\"}\n"
                         "  GET /stats -> {\"calls\":N}\n";
            return 0;
        } else {
            std::cerr << "bench_participant: unknown argument " << a << "\n";
            return 2;
        }
    }

    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    std::atomic<uint64_t> calls{0};
    httplib::Server server;
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server.set_keep_alive_max_count(1000000000);
    server.set_keep_alive_timeout(30);
    server.set_tcp_nodelay(true);
    server.Post(R"(/api/.*)", [&calls](const httplib::Request &, httplib::Response &res) {
        calls.fetch_add(1, std::memory_order_relaxed);
        res.status = 200;
        res.set_content(R"({"dtm_result":"SUCCESS"})", "application/json");
    });
    server.Get("/stats", [&calls](const httplib::Request &, httplib::Response &res) {
        res.set_content("{\"calls\":" + std::to_string(calls.load()) + "}", "application/json");
    });
    if (port == 0)
        port = server.bind_to_any_port(host);
    else if (!server.bind_to_port(host, port))
        port = -1;
    if (port <= 0) {
        std::cerr << "bench_participant: cannot listen on " << host << "\n";
        return 1;
    }
    std::thread serving([&server] { server.listen_after_bind(); });
    std::cout << "listening on " << host << ":" << port << std::endl;

    int signal = 0;
    sigwait(&stopSignals, &signal);
    server.stop();
    serving.join();
    return 0;
}
