#include "coordinatorprocess.h"

#include <grpcpp/grpcpp.h>

#include <csignal>

namespace testsupport {

CoordinatorProcess::CoordinatorProcess(std::string db, std::vector<std::string> extraArgs)
    : m_db(std::move(db)), m_extraArgs(std::move(extraArgs))
{}

CoordinatorProcess::~CoordinatorProcess()
{
    m_stub.reset();
    m_channel.reset();
    if (running())
        terminate();
}

bool CoordinatorProcess::start()
{
    std::vector<std::string> args = {"--listen", m_address.empty() ? "127.0.0.1:0" : m_address,
                                     "--db", m_db};
    args.insert(args.end(), m_extraArgs.begin(), m_extraArgs.end());
    m_process = std::make_unique<ChildProcess>(binDir() + "/coordinator-lite", args);
    if (!m_process->start())
        return false;
    std::string addr = m_process->waitForLine("listening on ");
    if (addr.empty())
        return false;
    if (addr != m_address) {
        m_address = addr;
        grpc::ChannelArguments channelArgs;
        channelArgs.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
        channelArgs.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
        channelArgs.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
        m_channel = grpc::CreateCustomChannel(m_address, grpc::InsecureChannelCredentials(),
                                              channelArgs);
        m_stub = txdesk::v1::Coordinator::NewStub(m_channel);
    }
    return true;
}

void CoordinatorProcess::kill()
{
    if (!m_process)
        return;
    m_process->signal(SIGKILL);
    m_process->wait();
}

int CoordinatorProcess::terminate()
{
    if (!m_process)
        return -1;
    m_process->signal(SIGTERM);
    return m_process->wait(std::chrono::seconds(20));
}

txdesk::v1::Coordinator::Stub &CoordinatorProcess::stub() { return *m_stub; }

}  // namespace testsupport
