#include "backgroundrun.h"

#include <QMetaObject>

namespace txdesk::client {

void BackgroundRun::start(Work work)
{
    stop();
    auto cancelled = std::make_shared<std::atomic<bool>>(false);
    m_cancelled = cancelled;
    const quint64 generation = ++m_generation;
    Post post = [this, generation](std::function<void()> what) {
        QMetaObject::invokeMethod(
            m_owner,
            [this, generation, what = std::move(what)] {
                if (generation == m_generation)
                    what();
            },
            Qt::QueuedConnection);
    };
    m_thread = std::thread(
        [work = std::move(work), post = std::move(post), cancelled] { work(post, *cancelled); });
}

void BackgroundRun::cancel()
{
    if (m_cancelled)
        m_cancelled->store(true);
}

void BackgroundRun::stop()
{
    cancel();
    if (m_thread.joinable())
        m_thread.join();
}

}  // namespace txdesk::client
