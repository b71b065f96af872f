#include "unusedwatch.h"

#include "storage/sqlite/databaselock.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace coord::server {

namespace {
constexpr auto kPollInterval = std::chrono::milliseconds(100);
}

UnusedWatch::UnusedWatch(const std::string &file, std::function<void()> onUnused)
{
    m_fd = storage::filelock::open(file);
    if (m_fd < 0)
        spdlog::error("--exit-when-unused {}: {}; the coordinator will not end by itself", file,
                      std::strerror(errno));
    else
        m_thread = std::thread([this, f = std::move(onUnused)]() mutable { run(std::move(f)); });
}

UnusedWatch::~UnusedWatch()
{
    m_stop = true;
    if (m_thread.joinable())
        m_thread.join();
    if (m_fd >= 0)
        ::close(m_fd);
}

void UnusedWatch::run(std::function<void()> onUnused)
{
    while (!m_stop) {
        // Looking does not take the lock, so a console arriving now never finds it taken.
        if (!storage::filelock::heldByOthers(m_fd) && storage::filelock::tryLock(m_fd, true)) {
            spdlog::info("no console uses this coordinator any more: stopping");
            onUnused();
            return;
        }
        std::this_thread::sleep_for(kPollInterval);
    }
}

}  // namespace coord::server
