#include "connection.h"

#include <algorithm>

namespace coord::client {

namespace {

std::shared_ptr<grpc::ChannelCredentials> credentials(const ConnectionOptions &options)
{
    if (options.caPem.empty())
        return grpc::InsecureChannelCredentials();
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = options.caPem;
    return grpc::SslCredentials(ssl);
}

grpc::ChannelArguments channelArguments(const ConnectionOptions &options)
{
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
    if (options.longLived) {
        args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
        args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
        args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
        args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
        args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
        args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, std::max(options.reconnectMs, 1000));
    }
    return args;
}

}  // namespace

Connection::Connection(ConnectionOptions options)
    : m_options(std::move(options)),
      m_channel(grpc::CreateCustomChannel(m_options.address, credentials(m_options),
                                          channelArguments(m_options))),
      m_coordinator(pb::Coordinator::NewStub(m_channel)),
      m_admin(pb::Admin::NewStub(m_channel))
{}

void Connection::prepare(grpc::ClientContext &context, std::chrono::milliseconds timeout) const
{
    if (timeout.count() > 0)
        context.set_deadline(std::chrono::system_clock::now() + timeout);
    if (!m_options.token.empty())
        context.AddMetadata("authorization", "Bearer " + m_options.token);
}

std::unique_ptr<grpc::ClientContext> Connection::context(std::chrono::milliseconds timeout) const
{
    auto context = std::make_unique<grpc::ClientContext>();
    prepare(*context, timeout);
    return context;
}

}  // namespace coord::client
