#pragma once

#include <absl/status/statusor.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace coord::api {

// Counts the open Watch streams per client and in total, and refuses one over either limit.
class WatchSlots
{
public:
    // An open stream's place; freed when destroyed.
    class Slot
    {
    public:
        Slot(WatchSlots &slots, std::string client) : m_slots(slots), m_client(std::move(client)) {}
        ~Slot() { m_slots.release(m_client); }
        Slot(const Slot &) = delete;
        Slot &operator=(const Slot &) = delete;

    private:
        WatchSlots &m_slots;
        std::string m_client;
    };

    WatchSlots(int perClient, int total);  // 0 = no limit

    // A place for one more stream of `client`, or RESOURCE_EXHAUSTED naming the limit reached
    // and how to raise it.
    absl::StatusOr<std::unique_ptr<Slot>> acquire(const std::string &client);
    int openCount() const;

private:
    void release(const std::string &client);

    const int m_perClient;
    const int m_total;
    mutable std::mutex m_mutex;
    std::map<std::string, int> m_open;
    int m_openTotal = 0;
};

}  // namespace coord::api
