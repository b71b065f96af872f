#pragma once

#include "hostresolver.h"
#include "httptransport.h"
#include "httpwire.h"

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace coord::invokers::http {

// http:// participants on the coordinator's own HTTP/1.1 client: one epoll loop on its own
// thread, keep-alive connections per host and port (at most `maxConnectionsPerHost`, calls
// beyond wait for one), a request in one send and its answer parsed as it arrives. libcurl did
// this with ~25 µs of its own CPU per call; this does it in a few (docs/performance.md).
// What it does not serve itself (a redirect to https://) goes to `others`.
class PlainHttpTransport : public Transport
{
public:
    explicit PlainHttpTransport(Transport &others, size_t maxConnectionsPerHost = 64);
    ~PlainHttpTransport() override;  // answers calls still in flight with a transient error

    void send(Request request, Done done) override;

private:
    struct Call;        // plainhttpcall.h
    struct Connection;  // plainhttpcall.h
    using Address = HostResolver::Address;
    using Resolution = HostResolver::Resolution;
    struct Origin {
        std::string host;
        uint16_t port = 0;
        std::vector<Address> addresses;  // empty: not resolved (yet)
        int64_t resolvedAtMs = 0;
        bool resolving = false;
        size_t preferred = 0;  // the address that connected last
        size_t open = 0;       // connections, busy or idle
        bool serving = false;  // serveWaiting() is running for it
        std::vector<Connection *> idle;
        std::deque<Call *> waiting;  // for an address or a free connection
    };
    void run();
    void start(Call *call);
    void dispatch(Origin &origin, Call *call, bool fresh);
    void resolve(Origin &origin, const std::string &key);
    void resolved(Resolution resolution);
    void connect(Origin &origin, Call *call, size_t addressIndex);
    void attach(Connection *connection, Call *call);
    void write(Connection *connection);
    void read(Connection *connection);
    void onEvent(Connection *connection, uint32_t events);
    void connected(Connection *connection);
    void lost(Connection *connection, std::string why);  // by value: it often is the parser's
    void completed(Connection *connection, bool leftover);
    void close(Connection *connection);
    void serveWaiting(Origin &origin);
    void finish(Call *call, Response response);
    void fail(Call *call, std::string error);
    void setDeadline(Call *call, int64_t deadlineMs);
    void expire(int64_t nowMs);
    void watch(Connection *connection, bool writable);
    void shutDown();

    Transport &m_others;
    const size_t m_maxPerHost;
    int m_epoll = -1;
    int m_wake = -1;  // eventfd

    std::mutex m_mutex;  // guards m_incoming, m_closed and m_resolved
    std::deque<Call *> m_incoming;
    bool m_closed = false;  // after shutdown: send() answers at once
    std::deque<Resolution> m_resolved;
    std::atomic<bool> m_stopping{false};

    // The loop thread's own.
    std::map<std::string, Origin> m_origins;  // "host:port"
    std::unordered_map<uint64_t, std::unique_ptr<Connection>> m_connections;
    uint64_t m_nextConnectionId = 1;
    std::set<std::pair<int64_t, Call *>> m_deadlines;
    std::vector<char> m_buffer;

    std::unique_ptr<HostResolver> m_resolver;
    std::thread m_thread;
};

}  // namespace coord::invokers::http
