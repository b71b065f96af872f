#pragma once

namespace coord::api {

// What one client (a token, or a peer address without one) may use of the API, and what all
// clients together may. Zero turns a limit off.
struct ClientLimits {
    int maxWatchesPerClient = 16;  // concurrent Watch streams
    int maxWatches = 256;          // concurrent Watch streams, all clients
    // Requests/s per client, Coordinator and Admin calls alike: twice the throughput target, so
    // one busy application server is never refused, a runaway script is.
    int rateLimit = 10000;
    int rateBurst = 0;  // requests a client may make at once; 0 = rateLimit
};

}  // namespace coord::api
