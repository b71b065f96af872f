#include "engine.h"

#include "committer.h"
#include "domain/identifiers.h"
#include "domain/retryschedule.h"
#include "engineevents.h"
#include "flow/jsondepth.h"
#include "storage/store.h"

#include <absl/strings/escaping.h>
#include <absl/strings/str_cat.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <random>

namespace coord::engine {

using namespace domain;

namespace {

// 22 base62 characters: the time in ms (8), a per-process counter (4), random (10). Time first,
// so new gids land next to each other in the store's indexes instead of on a random page each.
std::string newGid(int64_t nowMs)
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    static std::atomic<uint64_t> counter{0};
    thread_local std::mt19937_64 rng(std::random_device{}());
    std::string gid(22, '0');
    auto put = [&](int from, int width, uint64_t value) {
        for (int i = from + width - 1; i >= from; --i, value /= 62)
            gid[i] = alphabet[value % 62];
    };
    put(0, 8, static_cast<uint64_t>(std::max<int64_t>(nowMs, 0)));
    put(8, 4, counter++);
    for (int i = 12; i < 22; ++i)
        gid[i] = alphabet[rng() % 62];
    return gid;
}

// Builds the transaction a parsed flow describes, with payload overrides applied (the flow's
// normal form is computed again only then).
absl::StatusOr<Transaction> transactionFor(const FlowCache::Entry &parsed, const SubmitCommand &cmd,
                                           int64_t now)
{
    std::optional<flow::FlowDefinition> overridden;
    if (!cmd.payloadOverrideJson.empty()) {
        overridden = parsed.flow;
        flow::FlowDefinition &flow = *overridden;
        if (std::string deep = flow::checkJsonDepth(cmd.payloadOverrideJson,
                                                    "payload_override_json");
            !deep.empty())
            return absl::InvalidArgumentError(deep);
        nlohmann::json overrides = nlohmann::json::parse(cmd.payloadOverrideJson, nullptr, false);
        if (overrides.is_discarded() || !overrides.is_object())
            return absl::InvalidArgumentError(
                "payload_override_json: expected a JSON object {\"branch id\": payload}");
        for (const auto &item : overrides.items()) {
            const std::string &id = item.key();
            const auto &payload = item.value();
            auto it = std::find_if(flow.branches.begin(), flow.branches.end(),
                                   [&](const flow::FlowBranch &b) { return b.id == id; });
            if (it == flow.branches.end())
                return absl::InvalidArgumentError(
                    absl::StrCat("payload_override_json: no branch \"", id, "\" in the flow"));
            it->payloadJson = payload.dump();
        }
    }
    const flow::FlowDefinition &flow = overridden ? *overridden : parsed.flow;
    Transaction tx;
    tx.summary.gid = cmd.gid;
    tx.summary.type = flow.type;
    tx.summary.origin = cmd.origin;
    tx.summary.status = flow.type == TxType::Saga ? TxStatus::Submitted : TxStatus::Prepared;
    tx.summary.businessKey = cmd.businessKey;
    tx.summary.flowName = flow.name;
    tx.summary.createdMs = tx.summary.updatedMs = now;
    tx.summary.branchCount = static_cast<int>(flow.branches.size());
    tx.options = flow.options;
    tx.flowJson = overridden ? flow::toJson(flow) : parsed.normalJson;
    for (const flow::FlowBranch &fb : flow.branches) {
        Branch b;
        b.id = fb.id;
        b.name = fb.name;
        b.after = fb.after;
        b.notRollbackable = fb.notRollbackable;
        b.requestTimeoutMs = fb.requestTimeoutMs;
        b.maxRetries = fb.maxRetries;
        if (!fb.payloadBase64.empty()) {
            if (!absl::Base64Unescape(fb.payloadBase64, &b.payload))
                return absl::InvalidArgumentError(
                    absl::StrCat("flow.branches.", fb.id, ".payload_base64: not valid base64"));
        } else {
            b.payload = fb.payloadJson;
        }
        for (OpKind op : flow::opsFor(flow.type))
            if (auto it = fb.endpoints.find(op); it != fb.endpoints.end() && !it->second.empty())
                b.ops.push_back({op, it->second, OpStatus::Pending, 0, {}});
        tx.branches.push_back(std::move(b));
    }
    return tx;
}

// The audit entry of an accepted fault plan.
AuditEntry faultPlanAudit(const SubmitCommand &cmd, const Transaction &tx, int64_t nowMs)
{
    AuditEntry e;
    e.atMs = nowMs;
    e.who = cmd.actor.who;
    e.role = toString(cmd.actor.role);
    e.action = "inject-faults";
    e.gid = tx.summary.gid;
    e.reason = "failure-path exploration";
    e.stateAfter = toString(tx.summary.status);
    e.detail = describe(cmd.faults);
    return e;
}

}  // namespace

Engine::Engine(storage::Store &store, Committer &committer, BranchInvoker &invoker, Clock &clock,
               EngineConfig config)
    : m_store(store),
      m_committer(committer),
      m_invoker(invoker),
      m_clock(clock),
      m_config(std::move(config)),
      m_deferredFlushes(std::chrono::milliseconds(m_config.deferredFlushMs))
{}

Engine::~Engine() { stop(std::chrono::milliseconds(0)); }

size_t Engine::activeCount() const
{
    std::lock_guard lock(m_mapMutex);
    return m_active.size();
}

size_t Engine::busyCount() const
{
    std::lock_guard lock(m_mapMutex);
    size_t busy = 0;
    for (const auto &[gid, rt] : m_active) {
        std::lock_guard rtLock(rt->mutex);
        busy += rt->inFlight > 0 || rt->queuedWrites > 0 || !rt->gateOpen;
    }
    return busy;
}

std::string Engine::generateGid(int64_t nowMs) { return newGid(nowMs); }

int64_t Engine::backoffMs(const Transaction &tx, int consecutiveErrors) const
{
    return domain::backoffMs(tx.options.retryIntervalMs, consecutiveErrors, m_config.maxBackoffMs);
}

// ---- submission and client-driven TCC ------------------------------------------------------

void Engine::submit(SubmitCommand cmd, Done done)
{
    if (m_stopping)
        return done(absl::UnavailableError("the coordinator is shutting down"));
    // A flow its caller built (DTM's API) is taken as it is; a flow file's text is parsed once
    // per distinct text.
    absl::StatusOr<std::shared_ptr<const FlowCache::Entry>> parsed;
    if (cmd.flow) {
        auto built = std::make_shared<FlowCache::Entry>();
        built->normalJson = flow::toJson(*cmd.flow);
        built->flow = std::move(*cmd.flow);
        parsed = std::move(built);
    } else {
        parsed = m_flows.parse(cmd.flowJson, m_config.limits);
    }
    if (!parsed.ok())
        return done(parsed.status());
    const bool generatedGid = cmd.gid.empty();
    if (generatedGid)
        cmd.gid = newGid(m_clock.nowMs());
    else if (!isValidGid(cmd.gid))
        return done(absl::InvalidArgumentError(absl::StrCat("gid: ", kGidRule)));
    if (cmd.businessKey.size() > 256)
        return done(absl::InvalidArgumentError("business_key: longer than 256 bytes"));
    const int64_t now = m_clock.nowMs();
    auto built = transactionFor(**parsed, cmd, now);
    if (!built.ok())
        return done(built.status());
    if (!cmd.faults.empty()) {
        if (absl::Status s = checkFaults(cmd, (*parsed)->flow, generatedGid); !s.ok())
            return done(s);
        return admit(std::move(*built), cmd.wait ? AnswerWhen::Finished : AnswerWhen::Durable,
                     std::move(done), &cmd);
    }

    // Same gid again (only a client's gid can be): answer with the existing transaction when
    // it is the same flow.
    if (!generatedGid && !cmd.gidLookedUp) {
        auto existing = m_store.get(cmd.gid, kAttemptsLoaded);
        if (existing.ok() || !absl::IsNotFound(existing.status())) {
            if (!existing.ok())
                return done(existing.status());
            if (existing->flowJson != built->flowJson)
                return done(absl::AlreadyExistsError(
                    absl::StrCat("gid ", cmd.gid, " already exists with a different flow (status ",
                                 toString(existing->summary.status), ")")));
            if (isFinal(existing->summary.status) || !cmd.wait)
                return done(*existing);
            auto rt = acquire(cmd.gid);
            if (!rt.ok())
                return done(*existing);  // leased elsewhere: report what we know
            return submitExisting(*rt, built->flowJson, cmd.wait, std::move(done));
        }
    }
    {
        std::lock_guard lock(m_mapMutex);
        if (auto it = m_active.find(cmd.gid); it != m_active.end()) {
            RtPtr rt = it->second;
            return submitExisting(rt, built->flowJson, cmd.wait, std::move(done));
        }
    }

    TxWaiter answer = [done = std::move(done), this, gid = cmd.gid](absl::StatusOr<Transaction> r) {
        if (!r.ok() && absl::IsAlreadyExists(r.status())) {
            // Lost a race with another submission of the same gid.
            auto existing = m_store.get(gid, kAttemptsLoaded);
            return done(existing.ok() ? absl::StatusOr<Transaction>(*existing) : r);
        }
        done(std::move(r));
    };
    const AnswerWhen when = cmd.wait ? AnswerWhen::Finished
        : built->options.waitResult  ? AnswerWhen::Round
                                     : AnswerWhen::Durable;
    admit(std::move(*built), when, std::move(answer));
}

absl::Status Engine::checkFaults(const SubmitCommand &cmd, const flow::FlowDefinition &flow,
                                 bool generatedGid) const
{
    if (!m_faultPlans)
        return absl::FailedPreconditionError(
            "fault injection is off on this coordinator: start coordinator-lite with "
            "--allow-fault-injection to submit fault plans");
    if (absl::Status s = checkFaultPlan(flow, cmd.faults); !s.ok())
        return s;
    if (generatedGid)
        return absl::OkStatus();
    auto existing = m_store.get(cmd.gid, 1);
    if (existing.ok())
        return absl::AlreadyExistsError(absl::StrCat(
            "gid ", cmd.gid, " already exists: a fault plan needs a transaction of its own"));
    return absl::IsNotFound(existing.status()) ? absl::OkStatus() : existing.status();
}

// `withFaults`: its fault plan is set once the gid is held here (so it touches no other
// transaction's calls) and audited in the write that creates the transaction.
void Engine::admit(Transaction tx, AnswerWhen when, Done done, const SubmitCommand *withFaults)
{
    const std::string gid = tx.summary.gid;
    auto rt = std::make_shared<TxRuntime>();
    rt->tx = std::move(tx);
    rt->tx.summary.owner = m_config.instanceId;
    rt->computeOrder();
    rt->writtenStatus = rt->tx.summary.status;
    rt->gateOpen = false;  // closed before anyone else can find it: no call before it is durable
    rt->events.push_back(makeEvent(EventKind::TxCreated, rt->tx.summary.createdMs));
    bool taken = false;
    {
        std::lock_guard lock(m_mapMutex);
        taken = !m_active.emplace(gid, rt).second;
    }
    if (taken)  // answered outside the map's lock: `done` may read the store
        return done(absl::AlreadyExistsError(absl::StrCat("gid ", gid, " is being started")));
    if (withFaults)  // another instance created it first: the plan is not for its calls
        done = [this, gid, done = std::move(done)](absl::StatusOr<Transaction> r) {
            if (absl::IsAlreadyExists(r.status()))
                m_faultPlans->clearPlan(gid);
            done(std::move(r));
        };
    Outbox out;
    {
        std::lock_guard lock(rt->mutex);
        if (withFaults) {
            m_faultPlans->setPlan(gid, withFaults->faults);
            rt->pendingAudit.push_back(faultPlanAudit(*withFaults, rt->tx, m_clock.nowMs()));
        }
        switch (when) {
        case AnswerWhen::Finished:
            rt->finalWaiters.push_back(std::move(done));
            break;
        case AnswerWhen::Round:
            rt->roundWaiters.push_back(std::move(done));
            break;
        case AnswerWhen::Durable:
            rt->waitDurable(std::move(done));
            break;
        }
        flushLocked(rt, out, WriteKind::Gate);
    }
    deliver(rt, out);
}

void Engine::submitExisting(const RtPtr &rt, const std::string &flowJson, bool wait, Done done)
{
    Outbox out;
    {
        std::lock_guard lock(rt->mutex);
        if (rt->broken)
            return done(beingReloaded(rt->tx.summary.gid));
        if (rt->tx.flowJson != flowJson)
            return done(absl::AlreadyExistsError(
                absl::StrCat("gid ", rt->tx.summary.gid, " already exists with a different flow")));
        if (!wait || isFinal(rt->tx.summary.status))
            return done(rt->tx);
        rt->finalWaiters.push_back(std::move(done));
        rt->activity++;
        rt->removable = false;
        advanceLocked(rt, out);
    }
    deliver(rt, out);
}

void Engine::prepare(PrepareCommand cmd, Done done)
{
    if (m_stopping)
        return done(absl::UnavailableError("the coordinator is shutting down"));
    if (!isValidGid(cmd.gid))
        return done(absl::InvalidArgumentError(absl::StrCat("gid: ", kGidRule)));
    if (auto existing = m_store.get(cmd.gid, kAttemptsLoaded); existing.ok()) {
        if (existing->summary.status == TxStatus::Prepared && existing->clientDriven)
            return done(*existing);  // idempotent
        return done(absl::FailedPreconditionError(absl::StrCat("gid ", cmd.gid, ": current status ",
                                                               toString(existing->summary.status),
                                                               ", cannot prepare")));
    } else if (!absl::IsNotFound(existing.status())) {
        return done(existing.status());
    }
    const int64_t now = m_clock.nowMs();
    Transaction tx;
    tx.summary.gid = cmd.gid;
    tx.summary.type = TxType::Tcc;
    tx.summary.status = TxStatus::Prepared;
    tx.summary.businessKey = cmd.businessKey;
    tx.summary.flowName = cmd.flowName;
    tx.summary.origin = cmd.origin;
    tx.summary.createdMs = tx.summary.updatedMs = now;
    tx.options.branchHeaders = cmd.branchHeaders;
    tx.clientDriven = true;
    tx.options.timeoutToFailMs = cmd.timeoutToFailMs > 0 ? cmd.timeoutToFailMs
                                                         : m_config.processor.preparedTimeoutMs;
    if (cmd.requestTimeoutMs > 0)
        tx.options.requestTimeoutMs = cmd.requestTimeoutMs;
    if (cmd.retryIntervalMs > 0)
        tx.options.retryIntervalMs = cmd.retryIntervalMs;
    admit(std::move(tx), AnswerWhen::Durable, std::move(done));
}

void Engine::registerBranch(RegisterCommand cmd, StatusDone done)
{
    if (m_stopping)
        return done(absl::UnavailableError("the coordinator is shutting down"));
    if (!isValidBranchId(cmd.branchId))
        return done(
            absl::InvalidArgumentError(absl::StrCat("branch_id: ", kBranchIdRule, " expected")));
    for (auto [field, endpoint] : {std::pair{"confirm", &cmd.confirm}, {"cancel", &cmd.cancel}})
        if (std::string problem = flow::checkEndpoint(*endpoint);
            !problem.empty() && !endpoint->empty())
            return done(absl::InvalidArgumentError(absl::StrCat(field, ": ", problem)));
    if (cmd.payload.size() > m_config.limits.maxPayloadBytes)
        return done(absl::InvalidArgumentError("payload: over the payload size limit"));
    auto acquired = acquire(cmd.gid);
    if (!acquired.ok())
        return done(acquired.status());
    RtPtr rt = *acquired;
    Outbox out;
    {
        std::lock_guard lock(rt->mutex);
        Transaction &tx = rt->tx;
        if (tx.summary.status != TxStatus::Prepared || !tx.clientDriven)
            return done(absl::FailedPreconditionError(
                absl::StrCat("no client-driven transaction ", cmd.gid, " in PREPARED (status ",
                             toString(tx.summary.status), ")")));
        // DTM counts an empty URL as a call made (dtmsvr/trans_status.go getURLResult); our own
        // API wants both.
        if (tx.summary.origin == TxOrigin::Native)
            for (auto [field, endpoint] :
                 {std::pair{"confirm", &cmd.confirm}, {"cancel", &cmd.cancel}})
                if (endpoint->empty())
                    return done(
                        absl::InvalidArgumentError(absl::StrCat(field, ": empty endpoint")));
        if (const Branch *existing = tx.findBranch(cmd.branchId)) {
            auto endpointOf = [existing](OpKind k) {
                const Operation *o = existing->find(k);
                return o ? o->endpoint : std::string();
            };
            bool same = endpointOf(OpKind::Confirm) == cmd.confirm
                && endpointOf(OpKind::Cancel) == cmd.cancel;
            return done(same ? absl::OkStatus()
                             : absl::AlreadyExistsError(absl::StrCat(
                                 "branch ", cmd.branchId, " is already registered differently")));
        }
        if (tx.branches.size() >= m_config.limits.maxBranches)
            return done(absl::ResourceExhaustedError(
                absl::StrCat("gid ", tx.summary.gid, ": already ", tx.branches.size(),
                             " branches, the most a transaction may have")));
        Branch b;
        b.id = cmd.branchId;
        b.name = cmd.name;
        b.payload = cmd.payload;
        for (auto [kind, endpoint] :
             {std::pair{OpKind::Confirm, &cmd.confirm}, {OpKind::Cancel, &cmd.cancel}})
            if (!endpoint->empty())
                b.ops.push_back({kind, *endpoint, OpStatus::Pending, 0, {}});
        tx.branches.push_back(b);
        tx.summary.branchCount = static_cast<int>(tx.branches.size());
        rt->newBranches.push_back(std::move(b));
        rt->computeOrder();
        Event e = makeEvent(EventKind::OpStatusChanged, m_clock.nowMs());
        e.branchId = cmd.branchId;
        e.message = "branch registered";
        rt->events.push_back(e);
        rt->activity++;
        rt->removable = false;
        rt->waitDurable(
            [done = std::move(done)](absl::StatusOr<Transaction> r) { done(r.status()); });
        flushLocked(rt, out, WriteKind::Gate);
    }
    deliver(rt, out);
}

void Engine::finishPrepared(const std::string &gid, Finish finish, const std::string &reason,
                            AnswerWhen when, Done done)
{
    const bool commit = finish == Finish::Commit;
    if (m_stopping)
        return done(absl::UnavailableError("the coordinator is shutting down"));
    auto acquired = acquire(gid);
    if (!acquired.ok()) {
        // Already finished: idempotent when it ended the way the caller asks.
        auto tx = m_store.get(gid, kAttemptsLoaded);
        if (tx.ok() && tx->summary.status == (commit ? TxStatus::Succeeded : TxStatus::Failed))
            return done(*tx);
        if (tx.ok() && isFinal(tx->summary.status))
            return done(absl::FailedPreconditionError(
                absl::StrCat("gid ", gid, ": current status ", toString(tx->summary.status),
                             ", cannot ", commit ? "submit" : "abort")));
        return done(acquired.status());
    }
    RtPtr rt = *acquired;
    Outbox out;
    {
        std::lock_guard lock(rt->mutex);
        TxStatus s = rt->tx.summary.status;
        TxStatus target = commit ? TxStatus::Submitted : TxStatus::Aborting;
        if (s == (commit ? TxStatus::Succeeded : TxStatus::Failed)) {
            out.answers.emplace_back(std::move(done), rt->tx);  // already done: idempotent
        } else if (s != TxStatus::Prepared && s != target) {
            rt->removable = true;
            out.release = true;
            out.answers.emplace_back(std::move(done),
                                     absl::FailedPreconditionError(
                                         absl::StrCat("gid ", gid, ": current status ", toString(s),
                                                      ", cannot ", commit ? "submit" : "abort")));
        } else {
            rt->activity++;
            rt->removable = false;
            if (when == AnswerWhen::Finished)
                rt->finalWaiters.push_back(std::move(done));
            else if (when == AnswerWhen::Round)
                rt->roundWaiters.push_back(std::move(done));
            else
                rt->waitDurable(std::move(done));
            if (s == TxStatus::Prepared) {
                applyStatus(*rt, target, commit ? std::string() : reason);
                flushLocked(rt, out, WriteKind::Gate);
            } else {
                advanceLocked(rt, out);
            }
        }
    }
    deliver(rt, out);
}

}  // namespace coord::engine
