#pragma once

#include "txdesk/v1/coordinator.grpc.pb.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace testsupport {

// One Watch stream on one instance, from seq 0 on, recording what it delivers.
class WatchRecorder
{
public:
    explicit WatchRecorder(txdesk::v1::Coordinator::Stub &stub);
    ~WatchRecorder();

    // The gids not seen once all were seen or `limit` passed.
    std::vector<std::string> missingOf(const std::vector<std::string> &gids,
                                       std::chrono::seconds limit);
    // The sequence numbers delivered, once `last` was delivered or `limit` passed.
    std::vector<int64_t> seqsUntil(int64_t last, std::chrono::seconds limit);

private:
    grpc::ClientContext m_context;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::set<std::string> m_gids;
    std::vector<int64_t> m_seqs;
    std::thread m_thread;
};

}  // namespace testsupport
