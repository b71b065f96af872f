#include "eventfollower.h"

#include "eventhub.h"
#include "threadname.h"
#include "storage/store.h"

#include <spdlog/spdlog.h>

namespace coord::engine {

EventFollower::EventFollower(storage::Store &store, EventHub &hub, int pollMs)
    : m_store(store), m_hub(hub), m_pollMs(pollMs), m_thread([this] {
          nameThisThread("event-follower");
          run();
      })
{}

EventFollower::~EventFollower() { stop(); }

void EventFollower::stop()
{
    m_stopping = true;
    if (m_thread.joinable())
        m_thread.join();
}

void EventFollower::run()
{
    bool failing = false;
    while (!m_stopping) {
        m_store.waitForCommits(m_pollMs);
        absl::Status s = m_hub.catchUp();
        if (!s.ok() && !failing)
            spdlog::warn("cannot read other instances' events (retrying): {}",
                         std::string(s.message()));
        else if (s.ok() && failing)
            spdlog::info("reading other instances' events again");
        failing = !s.ok();
    }
}

}  // namespace coord::engine
