#pragma once

#include "storage/store.h"

#include <functional>

namespace testsupport {

// A store that hands every call to another one: a test derives from it and overrides only the
// calls it makes fail or wait on cue.
class ForwardingStore : public coord::storage::Store
{
public:
    // `inner` is asked for the store at each call, so the store behind it may be reopened.
    explicit ForwardingStore(std::function<coord::storage::Store &()> inner)
        : m_inner(std::move(inner))
    {}

    absl::StatusOr<coord::domain::Transaction> get(const std::string &gid,
                                                   int attemptLimit) override
    {
        return m_inner().get(gid, attemptLimit);
    }
    absl::StatusOr<coord::domain::ListPage> list(const coord::domain::ListQuery &query) override
    {
        return m_inner().list(query);
    }
    absl::StatusOr<std::vector<coord::domain::Event>> eventsAfter(int64_t seq, int limit) override
    {
        return m_inner().eventsAfter(seq, limit);
    }
    absl::StatusOr<int64_t> lastSeq() override { return m_inner().lastSeq(); }
    absl::StatusOr<std::map<std::string, int64_t>> unfinishedByStuckReason() override
    {
        return m_inner().unfinishedByStuckReason();
    }
    absl::StatusOr<std::vector<coord::domain::AuditEntry>> listAudit(
        const coord::domain::AuditQuery &query) override
    {
        return m_inner().listAudit(query);
    }
    absl::StatusOr<std::vector<coord::domain::TxTiming>> timings(int64_t beforeId,
                                                                 int limit) override
    {
        return m_inner().timings(beforeId, limit);
    }
    std::vector<coord::storage::WriteResult> commit(
        std::span<coord::storage::TxWrite> writes) override
    {
        return m_inner().commit(writes);
    }
    absl::StatusOr<std::vector<std::string>> claimDue(const std::string &owner, int64_t nowMs,
                                                      int64_t leaseMs, int limit) override
    {
        return m_inner().claimDue(owner, nowMs, leaseMs, limit);
    }
    absl::Status claim(const std::string &gid, const std::string &owner, int64_t nowMs,
                       int64_t leaseMs) override
    {
        return m_inner().claim(gid, owner, nowMs, leaseMs);
    }
    absl::StatusOr<int> releaseOwned(const std::string &owner, int64_t nowMs) override
    {
        return m_inner().releaseOwned(owner, nowMs);
    }
    bool isShared() const override { return m_inner().isShared(); }
    void waitForCommits(int timeoutMs) override { m_inner().waitForCommits(timeoutMs); }

private:
    std::function<coord::storage::Store &()> m_inner;
};

}  // namespace testsupport
