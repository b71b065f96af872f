// bank_participant: the test bank as its own process, so tests can SIGKILL and restart it.
//   bank_participant --db FILE [--port P] [--delay-ms N] [--no-barrier]
// Prints "listening on 127.0.0.1:<port>" once it answers; runs until killed (or SIGTERM).
// Accounts are set up by the test through a BankLedger on the same file before the start.
#include "bankledger.h"
#include "httpbank.h"

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>

int main(int argc, char **argv)
{
    std::string db;
    int port = 0, delayMs = 0;
    bool barrier = true;
    for (int i = 1; i < argc; i += 2) {
        const std::string key = argv[i];
        if (key == "--no-barrier") {
            barrier = false;
            --i;
            continue;
        }
        if (i + 1 >= argc) {
            std::cerr << "bank_participant: " << key << " needs a value\n";
            return 2;
        }
        const std::string value = argv[i + 1];
        if (key == "--db")
            db = value;
        else if (key == "--port")
            port = std::atoi(value.c_str());
        else if (key == "--delay-ms")
            delayMs = std::atoi(value.c_str());
        else {
            std::cerr << "bank_participant: unknown option " << key << "\n";
            return 2;
        }
    }
    if (db.empty()) {
        std::cerr << "usage: bank_participant --db FILE [--port P] [--delay-ms N] [--no-barrier]\n";
        return 2;
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);

    testsupport::BankLedger ledger(db);
    ledger.setDelayMs(delayMs);
    ledger.setBarrier(barrier);
    testsupport::HttpBank bank(ledger);
    if (!bank.start(port)) {
        std::cerr << "bank_participant: cannot listen on 127.0.0.1:" << port << "\n";
        return 1;
    }
    std::cout << "listening on 127.0.0.1:" << bank.port() << std::endl;
    int signal = 0;
    sigwait(&stop, &signal);
    bank.stop();
    return 0;
}
