#include "watchrecorder.h"

#include <grpcpp/grpcpp.h>

namespace testsupport {

namespace pb = txdesk::v1;

WatchRecorder::WatchRecorder(pb::Coordinator::Stub &stub)
{
    m_thread = std::thread([this, &stub] {
        pb::WatchRequest from;
        from.set_from_seq(0);
        auto reader = stub.Watch(&m_context, from);
        pb::Event e;
        while (reader->Read(&e)) {
            std::lock_guard lock(m_mutex);
            m_gids.insert(e.gid());
            m_seqs.push_back(e.seq());
            m_changed.notify_all();
        }
        reader->Finish().IgnoreError();
    });
}

WatchRecorder::~WatchRecorder()
{
    m_context.TryCancel();
    m_thread.join();
}

std::vector<std::string> WatchRecorder::missingOf(const std::vector<std::string> &gids,
                                                  std::chrono::seconds limit)
{
    std::unique_lock lock(m_mutex);
    std::vector<std::string> missing;
    m_changed.wait_for(lock, limit, [&] {
        missing.clear();
        for (const auto &g : gids)
            if (!m_gids.count(g))
                missing.push_back(g);
        return missing.empty();
    });
    return missing;
}

std::vector<int64_t> WatchRecorder::seqsUntil(int64_t last, std::chrono::seconds limit)
{
    std::unique_lock lock(m_mutex);
    m_changed.wait_for(lock, limit, [&] { return !m_seqs.empty() && m_seqs.back() >= last; });
    return m_seqs;
}

}  // namespace testsupport
