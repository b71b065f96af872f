#pragma once

namespace httplib {
class Server;
}

namespace coord::net {

class HttpRouter;

// Every request httplib reads (HTTPS: the coordinator's own server is plaintext) goes to
// `router`; httplib's thread waits for the answer. The router outlives the server's serving.
void routeThroughHttplib(httplib::Server &server, HttpRouter &router);

}  // namespace coord::net
