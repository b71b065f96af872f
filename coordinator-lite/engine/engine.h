#pragma once

#include "branchinvoker.h"
#include "clock.h"
#include "delayqueue.h"
#include "engineobserver.h"
#include "faultplans.h"
#include "flowcache.h"
#include "domain/operator.h"
#include "flow/flowdefinition.h"
#include "processors.h"
#include "txruntime.h"

#include <absl/status/statusor.h>

#include <atomic>
#include <condition_variable>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace coord::storage {
class Store;
}

namespace coord::engine {

class Committer;

struct EngineConfig {
    std::string instanceId = "coordinator";
    int64_t leaseMs = 30000;
    int64_t maxBackoffMs = 300000;
    int64_t pollIntervalMs = 100;
    int claimBatch = 256;
    // Changes that gate no call (a call started, a branch done while others run) ride along
    // with the transaction's next write, or are written on their own after this long.
    int64_t deferredFlushMs = 20;
    ProcessorConfig processor;
    flow::FlowLimits limits;
    domain::StuckThresholds stuck;
};

struct SubmitCommand {
    std::string flowJson;
    std::string gid;  // empty = generated
    std::string businessKey;
    std::string payloadOverrideJson;  // {"branch id": payload, ...}
    bool wait = false;                // answer when finished
    // Instead of flowJson: a flow its caller built and checked (the DTM API, whose steps may
    // have no endpoint: DTM counts an empty URL as done).
    std::optional<flow::FlowDefinition> flow;
    domain::TxOrigin origin = domain::TxOrigin::Native;
    // Faults to inject into this transaction's calls: only with fault plans set on the engine
    // (--allow-fault-injection), only for a new gid, audited in the write that creates it.
    std::vector<domain::FaultRule> faults;
    domain::Actor actor;  // who submits (the fault plan's audit entry)
    // The caller has just read the store and found no such gid (DTM's API does, to answer a
    // repeated submit its own way): the engine does not read it again before the write.
    bool gidLookedUp = false;
};

struct PrepareCommand {
    std::string gid;
    std::string businessKey;
    int64_t timeoutToFailMs = 0;  // 0 = the configured default
    int64_t requestTimeoutMs = 0;
    int64_t retryIntervalMs = 0;
    std::string flowName;
    domain::TxOrigin origin = domain::TxOrigin::Native;
    std::map<std::string, std::string> branchHeaders;
};

struct RegisterCommand {
    std::string gid;
    std::string branchId;
    std::string name;
    std::string confirm;
    std::string cancel;
    std::string payload;
};

// The transaction engine: takes submissions, drives every transaction this instance holds
// through its processor, records each decision durably before the calls it gates, and resumes
// due or orphaned transactions from the store (runOnce). Thread-safe; never blocks a caller on
// a participant.
class Engine
{
public:
    using Done = std::function<void(absl::StatusOr<domain::Transaction>)>;
    using StatusDone = std::function<void(absl::Status)>;

    Engine(storage::Store &store, Committer &committer, BranchInvoker &invoker, Clock &clock,
           EngineConfig config);
    ~Engine();

    void submit(SubmitCommand command, Done done);
    // A fresh gid as submit generates them: unique, time-ordered, 22 letters and digits.
    static std::string generateGid(int64_t nowMs);
    void prepare(PrepareCommand command, Done done);
    void registerBranch(RegisterCommand command, StatusDone done);
    // When a caller is answered.
    enum class AnswerWhen {
        Durable,   // the decision is on disk
        Round,     // the calls it leads to have run once (DTM's wait_result)
        Finished,  // the transaction is finished
    };
    enum class Finish { Commit, Abort };
    // Client-driven TCC: commit (confirm all) or abort (cancel all) a PREPARED transaction.
    void finishPrepared(const std::string &gid, Finish finish, const std::string &reason,
                        AnswerWhen when, Done done);

    // Operator actions (docs/design.md "Operator actions"): validated against the current state,
    // planned (dry run), applied and audited in one durable write.
    using ActionDone = std::function<void(absl::StatusOr<domain::ActionOutcome>)>;
    void act(domain::ActionCommand command, ActionDone done);
    // Retry now for every unfinished, unpaused transaction matching `filter`.
    void retryMatching(domain::ListQuery filter, domain::Actor actor, std::string reason,
                       bool dryRun,
                       std::function<void(absl::StatusOr<std::vector<std::string>>)> done);
    // Appends an entry on its own (a refused call, a participant's barrier clean-up); `written`
    // gets the write's outcome once it is on disk (or failed).
    void audit(domain::AuditEntry entry, std::function<void(absl::Status)> written = {});

    // Claims due and orphaned transactions and drives them; returns how many it took.
    int runOnce(int64_t nowMs);
    // After a restart with the same instance id: everything this owner held is due now.
    absl::StatusOr<int> recoverOwned();

    // Where fault plans go; without it (the default) a submit carrying one is refused.
    void setFaultPlans(FaultPlans *plans) { m_faultPlans = plans; }  // before start()
    void addObserver(EngineObserver *observer)
    {
        m_observers.push_back(observer);
    }              // before start()
    void start();  // polls runOnce on a thread
    // Stops taking work, lets in-flight calls and writes finish (up to `drain`), then returns.
    void stop(std::chrono::milliseconds drain = std::chrono::seconds(5));

    size_t activeCount() const;  // transactions held in memory
    size_t busyCount() const;    // ... of which with calls or writes under way
    const EngineConfig &config() const { return m_config; }

private:
    using RtPtr = std::shared_ptr<TxRuntime>;
    // Enough history for the retry schedule and stuck detection; a long history is not reread
    // on every retry.
    static constexpr int kAttemptsLoaded = 64;

    // What to do once a runtime's lock is released: calls to start, callers to answer.
    struct Outbox {
        struct Call {
            BranchCall call;
            std::string branchId;
            domain::OpKind op;
        };
        std::vector<Call> calls;
        std::vector<std::pair<TxWaiter, absl::StatusOr<domain::Transaction>>> answers;
        bool release = false;
    };

    absl::StatusOr<RtPtr> acquire(const std::string &gid);
    void reclaimFailedWrites(int64_t nowMs);
    void drive(const RtPtr &rt);  // takes a loaded runtime one step on
    RtPtr load(domain::Transaction tx);
    RtPtr refreshParked(const RtPtr &rt);
    void advanceLocked(const RtPtr &rt, Outbox &out);
    // What a write means for the transaction once it is durable.
    enum class WriteKind {
        Record,  // records what happened; gates nothing
        Gate,    // a decision: the calls it leads to start only once it is on disk
        Final,   // the transaction ended: its callers are answered and it is released
        Park,    // nothing under way: the store holds it until `nextRetryMs`
    };
    void flushLocked(const RtPtr &rt, Outbox &out, WriteKind kind, int64_t nextRetryMs = 0);
    void flushOrDeferLocked(const RtPtr &rt, Outbox &out);
    void flushDeferred(const RtPtr &rt);
    void applyStatus(TxRuntime &rt, domain::TxStatus status, const std::string &reason);
    void startCallLocked(TxRuntime &rt, const std::string &branchId, domain::OpKind op,
                         Outbox &out);
    void onResult(const RtPtr &rt, const std::string &branchId, domain::OpKind op,
                  CallResult result);
    void onCommitted(const RtPtr &rt, const storage::WriteResult &result, uint64_t writeNo,
                     WriteKind kind, uint64_t activity);
    void deliver(const RtPtr &rt, Outbox &out);
    void release(const RtPtr &rt);
    // Takes a new transaction in: held here and written with its TxCreated event before any
    // call; `done` is answered `when` the caller asked.
    void admit(domain::Transaction tx, AnswerWhen when, Done done,
               const SubmitCommand *withFaults = nullptr);
    absl::Status checkFaults(const SubmitCommand &cmd, const flow::FlowDefinition &flow,
                             bool generatedGid) const;
    void submitExisting(const RtPtr &rt, const std::string &flowJson, bool wait, Done done);
    int64_t backoffMs(const domain::Transaction &tx, int consecutiveErrors) const;
    absl::Status checkAction(const TxRuntime &rt, const domain::ActionCommand &cmd) const;
    void applyAction(TxRuntime &rt, const domain::ActionCommand &cmd, int64_t now) const;
    domain::ActionPlan planAction(const TxRuntime &rt, const domain::ActionCommand &cmd,
                                  int64_t now) const;
    // Applies a checked action: its events, its audit entry and the write that records it.
    void recordActionLocked(const RtPtr &rt, const domain::ActionCommand &cmd,
                            const domain::ActionPlan &plan, domain::AuditEntry entry,
                            ActionDone done, int64_t now, Outbox &out);

    storage::Store &m_store;
    Committer &m_committer;
    BranchInvoker &m_invoker;
    Clock &m_clock;
    EngineConfig m_config;
    std::vector<EngineObserver *> m_observers;
    FaultPlans *m_faultPlans = nullptr;

    mutable std::mutex m_mapMutex;
    std::map<std::string, RtPtr> m_active;
    // Transactions this instance holds whose write failed (the database was unreachable, the
    // disk full): taken back as soon as the store answers again, not when their lease runs out.
    std::set<std::string> m_reclaim;  // guarded by m_mapMutex

    std::atomic<bool> m_stopping{false};
    std::atomic<int> m_callsInFlight{0};
    std::mutex m_loopMutex;
    std::condition_variable m_loopWake;
    std::thread m_loop;
    FlowCache m_flows;
    DelayQueue m_deferredFlushes;  // last: stopped before the members its tasks use
};

}  // namespace coord::engine
