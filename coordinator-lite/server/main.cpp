// coordinator-lite: the TxDesk transaction coordinator.
#include "coordinatorserver.h"
#include "processtuning.h"
#include "serverconfig.h"
#include "serveroptions.h"
#include "unusedwatch.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <pthread.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    coord::server::skipMutexDeadlockDetection();

    auto options = coord::server::parseServerOptions({argv + 1, argv + argc});
    if (!options.ok()) {
        std::cerr << "coordinator-lite: " << options.status().message() << "\n";
        return 2;
    }
    if (options->help) {
        std::cout << coord::server::serverUsage();
        return 0;
    }
    if (!options->config.empty())
        if (auto s = coord::server::loadConfigFile(options->config, *options); !s.ok()) {
            std::cerr << "coordinator-lite: " << s.message() << "\n";
            return 2;
        }

    // Logs go to stderr; stdout carries only the "listening on" contract line.
    spdlog::set_default_logger(spdlog::stderr_color_mt("coordinator-lite"));
    spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");

    // Block the stop signals in every thread; the main thread takes them with sigwait().
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    auto server = coord::server::CoordinatorServer::start(*options);
    if (!server.ok()) {
        std::cerr << "coordinator-lite: " << server.status().message() << "\n";
        return 1;
    }
    if (!(*server)->metricsAddress().empty())
        std::cout << "metrics on http://" << (*server)->metricsAddress() << "/metrics" << std::endl;
    if (!(*server)->dtmAddress().empty())
        std::cout << "dtm http listening on " << (*server)->dtmAddress() << std::endl;
    std::cout << "listening on " << (*server)->address() << std::endl;

    // A bundled coordinator ends with the last console that uses it: the same drain as SIGTERM.
    std::unique_ptr<coord::server::UnusedWatch> unused;
    if (!options->exitWhenUnused.empty())
        unused = std::make_unique<coord::server::UnusedWatch>(options->exitWhenUnused,
                                                              [] { ::kill(::getpid(), SIGTERM); });

    int signal = 0;
    sigwait(&stopSignals, &signal);
    spdlog::info("{}: draining", signal == SIGTERM ? "SIGTERM" : "SIGINT");
    (*server)->shutdown();
    // The database lock goes before the consoles' one: a console that finds the coordinator
    // still in use always finds it serving.
    server->reset();
    return 0;
}
