#pragma once

#include <QObject>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

namespace txdesk::client {

// One run at a time on a thread of its own, for a QObject owner (the inspector, the explorer):
// what the run posts is queued to the owner's thread and dropped once a newer run started;
// stop() cancels and joins, so the owner outlives every call the run queued.
class BackgroundRun
{
public:
    using Post = std::function<void(std::function<void()>)>;
    using Work = std::function<void(const Post &post, const std::atomic<bool> &cancelled)>;

    explicit BackgroundRun(QObject *owner) : m_owner(owner) {}
    ~BackgroundRun() { stop(); }

    void start(Work work);  // a run already going is stopped first
    void cancel();          // the run sees `cancelled` and ends early
    void stop();            // cancels and waits for the thread

private:
    QObject *m_owner;
    std::thread m_thread;
    std::shared_ptr<std::atomic<bool>> m_cancelled;
    quint64 m_generation = 0;  // read and written on the owner's thread only
};

}  // namespace txdesk::client
