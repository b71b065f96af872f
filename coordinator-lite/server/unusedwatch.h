#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace coord::server {

// Ends a bundled coordinator once no console uses it: every console holds a shared lock on FILE
// while it runs (storage::filelock), and this polls for none. The kernel drops a console's lock
// however it ends (quit, SIGTERM, SIGKILL, a crash), so the coordinator never outlives the last
// console, and stays while any console is left. Once taken, the lock is kept until exit, so a
// console starting meanwhile waits for this process to end and then starts a fresh one.
class UnusedWatch
{
public:
    // Calls onUnused once, from its own thread, when no process holds a shared lock on file.
    UnusedWatch(const std::string &file, std::function<void()> onUnused);
    ~UnusedWatch();

private:
    void run(std::function<void()> onUnused);

    int m_fd = -1;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

}  // namespace coord::server
