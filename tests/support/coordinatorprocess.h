#pragma once

#include "childprocess.h"

#include "txdesk/v1/coordinator.grpc.pb.h"

#include <memory>
#include <string>
#include <vector>

namespace testsupport {

// A real coordinator-lite process on a database file, with a stub to talk to it.
class CoordinatorProcess
{
public:
    explicit CoordinatorProcess(std::string db, std::vector<std::string> extraArgs = {});
    ~CoordinatorProcess();

    // Starts (on the previous address when restarting) and waits for "listening on".
    bool start();
    void kill();      // SIGKILL, and wait for it
    int terminate();  // SIGTERM; returns the exit code
    bool running() const { return m_process && m_process->running(); }
    std::string address() const { return m_address; }
    std::string output() { return m_process ? m_process->output() : std::string(); }
    txdesk::v1::Coordinator::Stub &stub();

private:
    std::string m_db;
    std::vector<std::string> m_extraArgs;
    std::string m_address;
    std::unique_ptr<ChildProcess> m_process;
    std::shared_ptr<grpc::Channel> m_channel;
    std::unique_ptr<txdesk::v1::Coordinator::Stub> m_stub;
};

}  // namespace testsupport
