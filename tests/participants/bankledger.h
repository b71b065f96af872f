#pragma once

#include "barrier/barrierrules.h"

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace coord::storage::sqlite {
class Connection;
}

namespace testsupport {

// A participant's answer, protocol-neutral: success, business failure, ongoing, error.
struct BankReply {
    enum class Kind { Success, Failure, Ongoing, Error, OldStyleFailure, Garbage };
    Kind kind = Kind::Success;
    std::string body;
    int delayMs = 0;  // answer this late (to test request timeouts)
};

struct BankCall {
    std::string method;
    std::string gid;
    std::string branchId;
    std::string op;
    std::string verdict;  // barrier verdict, or the scripted fault
    int64_t atMs = 0;     // steady-clock ms, for ordering
};

// The business side of the test bank (DTM's "busi" service): accounts in a SQLite file, every
// change behind the sub-transaction barrier, faults scripted per method, every call logged.
// Methods: TransOut, TransOutCompensate, TransIn, TransInCompensate,
//          TransOutTry/Confirm/Cancel, TransInTry/Confirm/Cancel.
class BankLedger
{
public:
    explicit BankLedger(const std::string &dbPath);
    ~BankLedger();

    void setBalance(const std::string &account, int64_t balance);
    int64_t balance(const std::string &account);
    int64_t frozen(const std::string &account);
    int64_t totalBalance();
    int64_t totalFrozen();  // reserved by TCC tries not yet confirmed or cancelled
    // Business effects that actually ran for (gid, op) — never more than one.
    int effects(const std::string &gid, const std::string &op);
    int effectsTotal();

    // Queues answers for the next calls of `method`: FAILURE, ONGOING, ERROR, SLOW:<ms>,
    // OLD_FAILURE (200 {"dtm_result":"FAILURE"}), GARBAGE (a 200 that is not JSON).
    void script(const std::string &method, std::vector<std::string> directives);
    // Every answer comes this much later (a slow service), unless a script says otherwise.
    void setDelayMs(int ms);
    // Off: every call changes the accounts, however often it comes (a service without the
    // barrier, which the failure-path explorer must catch).
    void setBarrier(bool on);
    // Sum of the balance changes one transaction made (0 after a full rollback).
    int64_t netDelta(const std::string &gid);
    int64_t branchDelta(const std::string &gid, const std::string &branchId);
    // The most times any single (gid, branch, op) took effect: 1 when idempotence holds.
    int maxEffectsPerOperation();
    std::vector<BankCall> calls();
    int callCount(const std::string &method);

    BankReply handle(const std::string &method, const coord::barrier::BarrierKey &key,
                     const std::string &body);

private:
    std::mutex m_mutex;
    std::unique_ptr<coord::storage::sqlite::Connection> m_db;
    std::map<std::string, std::deque<std::string>> m_script;
    std::vector<BankCall> m_calls;
    int m_delayMs = 0;
    bool m_barrier = true;
};

}  // namespace testsupport
