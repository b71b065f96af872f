#include "bankledger.h"

#include "barrier/sqlitebarrier.h"
#include "storage/sqlite/sqlite.h"

#include <nlohmann/json.hpp>

#include <chrono>

namespace testsupport {

using coord::barrier::SqliteBarrier;
using coord::barrier::Verdict;
using coord::storage::sqlite::Connection;

namespace {

int64_t steadyMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

absl::Status applyDelta(Connection &db, const std::string &account, int64_t balanceDelta,
                        int64_t frozenDelta, bool checkFunds)
{
    auto sel = db.prepare("SELECT balance, frozen FROM accounts WHERE name = ?1");
    if (!sel.ok())
        return sel.status();
    (*sel)->bind(1, account);
    if (!(*sel)->step()) {
        (*sel)->reset();
        return absl::FailedPreconditionError("FAILURE: no account " + account);
    }
    int64_t balance = (*sel)->int64(0), frozen = (*sel)->int64(1);
    (*sel)->reset();
    if (checkFunds && balance - frozen + balanceDelta - frozenDelta < 0)
        return absl::FailedPreconditionError("FAILURE: insufficient funds in " + account);
    auto up = db.prepare("UPDATE accounts SET balance = balance + ?1, frozen = frozen + ?2 WHERE "
                         "name = ?3");
    if (!up.ok())
        return up.status();
    (*up)->bind(1, balanceDelta).bind(2, frozenDelta).bind(3, account);
    return (*up)->run();
}

}  // namespace

BankLedger::BankLedger(const std::string &dbPath)
{
    m_db = std::move(*Connection::open(dbPath, false));
    m_db->exec("PRAGMA journal_mode = WAL").IgnoreError();
    m_db->exec("CREATE TABLE IF NOT EXISTS accounts (name TEXT PRIMARY KEY, balance INTEGER NOT "
               "NULL, frozen INTEGER NOT NULL DEFAULT 0)")
        .IgnoreError();
    m_db->exec("CREATE TABLE IF NOT EXISTS effects (gid TEXT, branch_id TEXT, op TEXT, "
               "account TEXT, delta INTEGER)")
        .IgnoreError();
    SqliteBarrier::createTable(*m_db).IgnoreError();
}

BankLedger::~BankLedger() = default;

void BankLedger::setBalance(const std::string &account, int64_t balance)
{
    std::lock_guard lock(m_mutex);
    auto up = m_db->prepare("INSERT INTO accounts(name, balance) VALUES (?1, ?2) ON CONFLICT(name) "
                            "DO UPDATE SET balance = ?2, frozen = 0");
    (*up)->bind(1, account).bind(2, balance);
    (*up)->run().IgnoreError();
}

int64_t BankLedger::balance(const std::string &account)
{
    std::lock_guard lock(m_mutex);
    auto sel = m_db->prepare("SELECT balance FROM accounts WHERE name = ?1");
    (*sel)->bind(1, account);
    int64_t v = (*sel)->step() ? (*sel)->int64(0) : 0;
    (*sel)->reset();
    return v;
}

int64_t BankLedger::frozen(const std::string &account)
{
    std::lock_guard lock(m_mutex);
    auto sel = m_db->prepare("SELECT frozen FROM accounts WHERE name = ?1");
    (*sel)->bind(1, account);
    int64_t v = (*sel)->step() ? (*sel)->int64(0) : 0;
    (*sel)->reset();
    return v;
}

int64_t BankLedger::totalBalance()
{
    std::lock_guard lock(m_mutex);
    auto sel = m_db->prepare("SELECT COALESCE(SUM(balance), 0) FROM accounts");
    int64_t v = (*sel)->step() ? (*sel)->int64(0) : 0;
    (*sel)->reset();
    return v;
}

int64_t BankLedger::totalFrozen()
{
    std::lock_guard lock(m_mutex);
    auto sel = m_db->prepare("SELECT COALESCE(SUM(frozen), 0) FROM accounts");
    int64_t v = (*sel)->step() ? (*sel)->int64(0) : 0;
    (*sel)->reset();
    return v;
}

int BankLedger::effects(const std::string &gid, const std::string &op)
{
    std::lock_guard lock(m_mutex);
    auto sel = m_db->prepare("SELECT COUNT(*) FROM effects WHERE gid = ?1 AND op = ?2");
    (*sel)->bind(1, gid).bind(2, op);
    int v = (*sel)->step() ? static_cast<int>((*sel)->int64(0)) : 0;
    (*sel)->reset();
    return v;
}

int BankLedger::effectsTotal()
{
    std::lock_guard lock(m_mutex);
    auto sel = m_db->prepare("SELECT COUNT(*) FROM effects");
    int v = (*sel)->step() ? static_cast<int>((*sel)->int64(0)) : 0;
    (*sel)->reset();
    return v;
}

void BankLedger::setDelayMs(int ms)
{
    std::lock_guard lock(m_mutex);
    m_delayMs = ms;
}

int64_t BankLedger::netDelta(const std::string &gid)
{
    std::lock_guard lock(m_mutex);
    auto sel = m_db->prepare("SELECT COALESCE(SUM(delta), 0) FROM effects WHERE gid = ?1");
    (*sel)->bind(1, gid);
    int64_t v = (*sel)->step() ? (*sel)->int64(0) : 0;
    (*sel)->reset();
    return v;
}

int64_t BankLedger::branchDelta(const std::string &gid, const std::string &branchId)
{
    std::lock_guard lock(m_mutex);
    auto sel = m_db->prepare(
        "SELECT COALESCE(SUM(delta), 0) FROM effects WHERE gid = ?1 AND branch_id = ?2");
    (*sel)->bind(1, gid).bind(2, branchId);
    int64_t v = (*sel)->step() ? (*sel)->int64(0) : 0;
    (*sel)->reset();
    return v;
}

int BankLedger::maxEffectsPerOperation()
{
    std::lock_guard lock(m_mutex);
    auto sel = m_db->prepare("SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM effects "
                             "GROUP BY gid, branch_id, op)");
    int v = (*sel)->step() ? static_cast<int>((*sel)->int64(0)) : 0;
    (*sel)->reset();
    return v;
}

void BankLedger::script(const std::string &method, std::vector<std::string> directives)
{
    std::lock_guard lock(m_mutex);
    for (auto &d : directives)
        m_script[method].push_back(std::move(d));
}

std::vector<BankCall> BankLedger::calls()
{
    std::lock_guard lock(m_mutex);
    return m_calls;
}

int BankLedger::callCount(const std::string &method)
{
    std::lock_guard lock(m_mutex);
    int n = 0;
    for (const auto &c : m_calls)
        n += c.method == method;
    return n;
}

namespace {
// The same business change in its own transaction, with nothing against repeats, reordering
// or empty compensations: what a service without the barrier does.
SqliteBarrier::Outcome withoutBarrier(Connection &db,
                                      const std::function<absl::Status(Connection &)> &business)
{
    SqliteBarrier::Outcome outcome;
    if (outcome.business = db.exec("BEGIN IMMEDIATE"); !outcome.business.ok())
        return outcome;
    outcome.business = business(db);
    if (outcome.business.ok())
        outcome.business = db.exec("COMMIT");
    if (!outcome.business.ok())
        db.exec("ROLLBACK").IgnoreError();
    return outcome;
}
}  // namespace

void BankLedger::setBarrier(bool on)
{
    std::lock_guard lock(m_mutex);
    m_barrier = on;
}

BankReply BankLedger::handle(const std::string &method, const coord::barrier::BarrierKey &key,
                             const std::string &body)
{
    std::lock_guard lock(m_mutex);
    BankCall record{method, key.gid, key.branchId, key.op, "", steadyMs()};
    BankReply reply;
    reply.delayMs = m_delayMs;
    auto &queue = m_script[method];
    if (!queue.empty()) {
        std::string d = queue.front();
        queue.pop_front();
        record.verdict = d;
        m_calls.push_back(record);
        if (d == "FAILURE")
            return {BankReply::Kind::Failure, R"({"dtm_result":"FAILURE","message":"scripted"})"};
        if (d == "ONGOING")
            return {BankReply::Kind::Ongoing, R"({"dtm_result":"ONGOING"})"};
        if (d == "ERROR")
            return {BankReply::Kind::Error, R"({"message":"scripted error"})"};
        if (d == "OLD_FAILURE")
            return {BankReply::Kind::OldStyleFailure, R"({"dtm_result":"FAILURE"})"};
        if (d == "GARBAGE")
            return {BankReply::Kind::Garbage, "\x01\x02 not json"};
        if (d.rfind("SLOW:", 0) == 0)
            reply.delayMs = std::stoi(d.substr(5));
    }
    if (key.gid.empty() || key.branchId.empty() || key.op.empty() || key.transType.empty()) {
        record.verdict = "missing dtm parameters";
        m_calls.push_back(record);
        return {BankReply::Kind::Error, R"({"message":"gid, branch_id, op, trans_type required"})"};
    }
    nlohmann::json payload = nlohmann::json::parse(body, nullptr, false);
    std::string account = payload.is_object() ? payload.value("account", "") : "";
    int64_t amount = payload.is_object() ? payload.value("amount", int64_t{0}) : 0;

    int64_t balanceDelta = 0, frozenDelta = 0;
    bool check = false;
    if (method == "TransOut")
        balanceDelta = -amount, check = true;
    else if (method == "TransOutCompensate" || method == "TransIn")
        balanceDelta = amount;
    else if (method == "TransInCompensate")
        balanceDelta = -amount;
    else if (method == "TransOutTry")
        frozenDelta = amount, check = true;
    else if (method == "TransOutConfirm")
        balanceDelta = -amount, frozenDelta = -amount;
    else if (method == "TransOutCancel")
        frozenDelta = -amount;
    else if (method == "TransInConfirm")
        balanceDelta = amount;
    // TransInTry and TransInCancel reserve nothing.

    const auto business = [&](Connection &db) -> absl::Status {
        if (balanceDelta || frozenDelta)
            if (auto s = applyDelta(db, account, balanceDelta, frozenDelta, check); !s.ok())
                return s;
        auto ins = db.prepare("INSERT INTO effects(gid, branch_id, op, account, delta) VALUES "
                              "(?1, ?2, ?3, ?4, ?5)");
        (*ins)->bind(1, key.gid).bind(2, key.branchId).bind(3, key.op).bind(4, account);
        (*ins)->bind(5, balanceDelta);
        return (*ins)->run();
    };
    auto outcome = m_barrier ? SqliteBarrier::call(*m_db, key, business)
                             : withoutBarrier(*m_db, business);
    record.verdict = coord::barrier::toString(outcome.verdict);
    if (!outcome.business.ok()) {
        record.verdict = std::string(outcome.business.message());
        m_calls.push_back(record);
        if (absl::IsFailedPrecondition(outcome.business))
            return {BankReply::Kind::Failure,
                    R"({"dtm_result":"FAILURE","message":")"
                        + std::string(outcome.business.message()) + "\"}",
                    reply.delayMs};
        return {BankReply::Kind::Error, R"({"message":"storage error"})", reply.delayMs};
    }
    m_calls.push_back(record);
    reply.kind = BankReply::Kind::Success;
    reply.body = std::string(R"({"dtm_result":"SUCCESS","barrier":")") + record.verdict + "\"}";
    return reply;
}

}  // namespace testsupport
