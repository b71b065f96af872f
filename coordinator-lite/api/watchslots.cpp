#include "watchslots.h"

#include <absl/strings/str_cat.h>

namespace coord::api {

WatchSlots::WatchSlots(int perClient, int total) : m_perClient(perClient), m_total(total) {}

absl::StatusOr<std::unique_ptr<WatchSlots::Slot>> WatchSlots::acquire(const std::string &client)
{
    std::lock_guard lock(m_mutex);
    if (m_total > 0 && m_openTotal >= m_total)
        return absl::ResourceExhaustedError(
            absl::StrCat("the coordinator already serves ", m_openTotal,
                         " Watch streams, its limit; close "
                         "some or raise the limit with --max-watches"));
    int &open = m_open[client];
    if (m_perClient > 0 && open >= m_perClient)
        return absl::ResourceExhaustedError(
            absl::StrCat("client ", client, " already has ", open,
                         " Watch streams open, the limit per "
                         "client; close one or raise the limit with --max-watches-per-client"));
    ++open;
    ++m_openTotal;
    return std::make_unique<Slot>(*this, client);
}

int WatchSlots::openCount() const
{
    std::lock_guard lock(m_mutex);
    return m_openTotal;
}

void WatchSlots::release(const std::string &client)
{
    std::lock_guard lock(m_mutex);
    --m_openTotal;
    if (auto it = m_open.find(client); it != m_open.end() && --it->second <= 0)
        m_open.erase(it);
}

}  // namespace coord::api
