// coordinator_bench: end-to-end throughput and latency of a real coordinator-lite process.
//
// Starts coordinator-lite (fresh temporary database) and bench_participant (a separate HTTP
// process) on loopback, drives N client threads submitting flows of B HTTP branches for a fixed
// time, then — in the same run — drives the same N threads calling the participant directly
// (the same calls, no coordinator). Prints one JSON line. Not a test: scripts/bench runs it.
#include "benchhttp.h"
#include "benchprobes.h"
#include "support/childprocess.h"
#include "support/unfinished.h"

#include "txdesk/v1/coordinator.grpc.pb.h"

#include <curl/curl.h>
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace {

namespace pb = txdesk::v1;
using testsupport::ChildProcess;
using testsupport::bench::Clock;
using testsupport::bench::CpuSample;
using testsupport::bench::HttpClient;
using testsupport::bench::machineBusySeconds;
using testsupport::bench::participantCalls;
using testsupport::bench::processCpuSeconds;
using testsupport::bench::selfCpuSeconds;

struct Options {
    int branches = 2;
    int concurrency = 32;
    double seconds = 10;
    double warmup = 1;
    std::string mode = "saga";  // saga | tcc
    std::string api = "grpc";   // grpc (txdesk.v1 Submit) | dtm-http (DTM's /api/dtmsvr/submit)
    bool waitResult = true;
    std::string sqliteSync = "full";
    long history = 0;
    bool parallel = false;  // branches without "after" (default: a chain, DTM's default saga)
    bool direct = true;
    bool ping = false;  // also measure a Ping phase: the coordinator's CPU for a bare unary call
    std::string keepDir;
    std::string db;     // a postgresql:// URL; empty = a fresh SQLite file
    int instances = 1;  // coordinator-lite processes on that database (PostgreSQL only)
};

const char *kUsage =
    "usage: coordinator_bench [options]\n"
    "  --branches B          HTTP branches per transaction (default 2)\n"
    "  --concurrency N       client threads, each with its own gRPC channel (default 32)\n"
    "  --seconds S           measured time of each phase (default 10)\n"
    "  --warmup S            unmeasured warm-up before each phase (default 1)\n"
    "  --mode saga|tcc       saga: action/compensate; tcc: try/confirm/cancel (default saga)\n"
    "  --api grpc|dtm-http   how sagas are submitted: txdesk.v1 Submit over gRPC (default), or\n"
    "                        DTM's HTTP server API as dtm's SDK sends it (saga only)\n"
    "  --wait-result true|false  options.wait_result of the flow (default true: Submit answers\n"
    "                        after the round; false: Submit answers once the transaction is "
    "durable,\n"
    "                        the bench then waits for all to finish and checks them)\n"
    "  --sqlite-sync full|normal  coordinator --sqlite-sync (default full, the headline)\n"
    "  --history N           preload N finished transactions before measuring (default 0)\n"
    "  --parallel            branches run concurrently (default: each after the previous)\n"
    "  --no-direct           skip the direct-call baseline\n"
    "  --ping                also run the same clients calling Ping (an empty unary call):\n"
    "                        prints coordinator_us_per_ping, the gRPC part of a Submit's floor\n"
    "  --keep DIR            use DIR for the database and keep it; a database already there is\n"
    "                        reused, so --history accumulates over runs (default: a fresh temp "
    "dir)\n"
    "  --db URL              run against PostgreSQL (postgresql://…) instead of a SQLite file;\n"
    "                        the database should be empty (scripts/with-postgres makes one)\n"
    "  --instances K         K coordinator-lite processes on --db; client i talks to i % K\n"
    "                        (default 1)\n"
    "Prints one JSON line: mode, branches, concurrency, seconds, sqlite_sync, tx_per_s, p50_ms,\n"
    "p99_ms, participant_calls_per_s, direct_tx_per_s, direct_p50_ms, ratio, added_p50_ms, "
    "coordinator_us_per_tx, participant_us_per_tx, cpu_ratio, fsync_ms, added_p50_per_fsync, "
    "errors,\n"
    "plus CPU use of each process (cores busy on average during the coordinator phase).\n";

[[noreturn]] void usageError(const std::string &message)
{
    std::cerr << "coordinator_bench: " << message << "\n" << kUsage;
    std::exit(2);
}

Options parseOptions(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                usageError(a + " needs a value");
            return argv[++i];
        };
        auto number = [&](double min) {
            std::string v = value();
            char *end = nullptr;
            double d = std::strtod(v.c_str(), &end);
            if (v.empty() || *end || d < min)
                usageError(a + ": expected a number >= " + std::to_string(min));
            return d;
        };
        if (a == "--help" || a == "-h") {
            std::cout << kUsage;
            std::exit(0);
        } else if (a == "--branches") {
            o.branches = static_cast<int>(number(1));
        } else if (a == "--concurrency") {
            o.concurrency = static_cast<int>(number(1));
        } else if (a == "--seconds") {
            o.seconds = number(0.1);
        } else if (a == "--warmup") {
            o.warmup = number(0);
        } else if (a == "--mode") {
            o.mode = value();
            if (o.mode != "saga" && o.mode != "tcc")
                usageError("--mode must be saga or tcc");
        } else if (a == "--api") {
            o.api = value();
            if (o.api != "grpc" && o.api != "dtm-http")
                usageError("--api must be grpc or dtm-http");
        } else if (a == "--wait-result") {
            std::string v = value();
            if (v != "true" && v != "false")
                usageError("--wait-result must be true or false");
            o.waitResult = v == "true";
        } else if (a == "--sqlite-sync") {
            o.sqliteSync = value();
            if (o.sqliteSync != "full" && o.sqliteSync != "normal")
                usageError("--sqlite-sync must be full or normal");
        } else if (a == "--history") {
            o.history = static_cast<long>(number(0));
        } else if (a == "--parallel") {
            o.parallel = true;
        } else if (a == "--no-direct") {
            o.direct = false;
        } else if (a == "--ping") {
            o.ping = true;
        } else if (a == "--keep") {
            o.keepDir = value();
        } else if (a == "--db") {
            o.db = value();
            if (o.db.rfind("postgresql://", 0) != 0 && o.db.rfind("postgres://", 0) != 0)
                usageError("--db must be a postgresql:// URL");
        } else if (a == "--instances") {
            o.instances = static_cast<int>(number(1));
        } else {
            usageError("unknown argument " + a);
        }
    }
    if (o.instances > 1 && o.db.empty())
        usageError("--instances needs --db postgresql://… (SQLite is single-instance)");
    return o;
}

// ---- the workload -------------------------------------------------------------------------

struct Call {
    std::string path;  // the participant method, e.g. /api/Action0
    std::string branchId;
    std::string op;
};

struct Workload {
    std::string flowJson;            // for Submit
    nlohmann::ordered_json dtmSaga;  // the same saga as dtmcli's Submit sends it (gid left out)
    std::string transType;
    std::string payload;
    std::vector<Call> directCalls;  // what the coordinator calls for one successful transaction
};

Workload makeWorkload(const Options &o, const std::string &base)
{
    Workload w;
    w.transType = o.mode == "tcc" ? "tcc" : "saga";
    nlohmann::json payload = {{"account", "A"}, {"amount", 30}};
    w.payload = payload.dump();
    nlohmann::json branches = nlohmann::json::array();
    auto named = [](const char *prefix, int i) {
        return std::string(prefix).append(std::to_string(i));
    };
    for (int i = 0; i < o.branches; ++i) {
        nlohmann::json b = {{"id", named("b", i)}, {"payload", payload}};
        if (!o.parallel && i > 0)
            b["after"] = {named("b", i - 1)};
        if (o.mode == "tcc") {
            b["try"] = base + named("/api/Try", i);
            b["confirm"] = base + named("/api/Confirm", i);
            b["cancel"] = base + named("/api/Cancel", i);
        } else {
            b["action"] = base + named("/api/Action", i);
            b["compensate"] = base + named("/api/Compensate", i);
        }
        branches.push_back(b);
    }
    nlohmann::json flow = {{"name", "bench-" + o.mode},
                           {"type", o.mode == "tcc" ? "TCC" : "SAGA"},
                           {"options",
                            {{"retry_interval_ms", 1000},
                             {"request_timeout_ms", 3000},
                             {"wait_result", o.waitResult}}},
                           {"branches", branches}};
    w.flowJson = flow.dump();
    nlohmann::ordered_json steps = nlohmann::ordered_json::array();
    nlohmann::ordered_json payloads = nlohmann::ordered_json::array();
    for (int i = 0; i < o.branches; ++i) {
        steps.push_back({{"action", base + named("/api/Action", i)},
                         {"compensate", base + named("/api/Compensate", i)}});
        payloads.push_back(w.payload);
    }
    w.dtmSaga = {{"trans_type", "saga"}};
    if (o.parallel)
        w.dtmSaga["custom_data"] = R"({"concurrent":true,"orders":{}})";
    if (o.waitResult)
        w.dtmSaga["wait_result"] = true;
    w.dtmSaga["request_timeout"] = 3;
    w.dtmSaga["retry_interval"] = 1;
    w.dtmSaga["concurrent"] = o.parallel;
    w.dtmSaga["steps"] = steps;
    w.dtmSaga["payloads"] = payloads;
    w.dtmSaga["protocol"] = "";
    // The same participant calls, in the coordinator's order (tries, then confirms).
    for (int i = 0; i < o.branches; ++i) {
        if (o.mode == "tcc")
            w.directCalls.push_back({named("/api/Try", i), named("b", i), "try"});
        else
            w.directCalls.push_back({named("/api/Action", i), named("b", i), "action"});
    }
    if (o.mode == "tcc")
        for (int i = 0; i < o.branches; ++i)
            w.directCalls.push_back({named("/api/Confirm", i), named("b", i), "confirm"});
    return w;
}

std::unique_ptr<pb::Coordinator::Stub> newStub(const std::string &address, int channelNo)
{
    grpc::ChannelArguments args;
    args.SetInt("bench.channel", channelNo);  // a distinct channel (and connection) per thread
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return pb::Coordinator::NewStub(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
}

// " (at 0.0123 s into the window)": when an error happened, for its first report.
std::string intoTheWindow(Clock::time_point at, Clock::time_point windowStart)
{
    return " (at " + std::to_string(std::chrono::duration<double>(at - windowStart).count())
        + " s into the window)";
}

struct ThreadResult {
    std::vector<double> latenciesMs;  // successful, measured transactions
    long errors = 0;
    std::string firstError;
    std::vector<std::string> pendingGids;  // wait_result=false: acknowledged, checked later
};

struct PhaseResult {
    long ok = 0;
    long errors = 0;
    std::string firstError;
    double seconds = 0;
    double p50 = 0, p99 = 0, mean = 0;
    std::vector<std::string> pendingGids;
};

double percentile(std::vector<double> &v, double p)
{
    if (v.empty())
        return 0;
    size_t k = std::min(v.size() - 1, static_cast<size_t>(p * double(v.size())));
    std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
    return v[k];
}

PhaseResult summarise(std::vector<ThreadResult> &threads, double seconds)
{
    PhaseResult r;
    r.seconds = seconds;
    std::vector<double> all;
    for (auto &t : threads) {
        all.insert(all.end(), t.latenciesMs.begin(), t.latenciesMs.end());
        r.errors += t.errors;
        if (r.firstError.empty())
            r.firstError = t.firstError;
        r.pendingGids.insert(r.pendingGids.end(), t.pendingGids.begin(), t.pendingGids.end());
    }
    r.ok = static_cast<long>(all.size());
    double sum = 0;
    for (double d : all)
        sum += d;
    r.mean = all.empty() ? 0 : sum / double(all.size());
    r.p50 = percentile(all, 0.50);
    r.p99 = percentile(all, 0.99);
    return r;
}

// Runs `body(thread, measured)` on N threads: a warm-up, then the measured window. A call counts
// when it started inside the window and ended before the window closed. `tick` runs on the
// calling thread every 100 ms (it keeps the children's output pipes drained).
template <typename Body, typename Tick>
std::vector<ThreadResult> runPhase(const Options &o, Body body, Tick tick, Clock::time_point *t0,
                                   Clock::time_point *t1, std::function<void()> atWindowStart = {},
                                   std::function<void()> atWindowEnd = {})
{
    const auto start = Clock::now();
    *t0 = start + std::chrono::microseconds(static_cast<long>(o.warmup * 1e6));
    *t1 = *t0 + std::chrono::microseconds(static_cast<long>(o.seconds * 1e6));
    std::vector<ThreadResult> results(o.concurrency);
    std::vector<std::thread> threads;
    const Clock::time_point w0 = *t0, w1 = *t1;
    for (int i = 0; i < o.concurrency; ++i)
        threads.emplace_back([&, i] { body(i, w0, w1, results[i]); });
    bool started = false, ended = false;
    while (Clock::now() < w1 + std::chrono::milliseconds(5)) {
        auto now = Clock::now();
        if (!started && now >= w0) {
            started = true;
            if (atWindowStart)
                atWindowStart();
        }
        if (!ended && now >= w1) {
            ended = true;
            if (atWindowEnd)
                atWindowEnd();
        }
        tick();
        auto next = std::min({now + std::chrono::milliseconds(100), started ? w1 : w0, w1});
        std::this_thread::sleep_until(std::max(next, now + std::chrono::milliseconds(1)));
    }
    if (!ended && atWindowEnd)
        atWindowEnd();
    for (auto &t : threads)
        t.join();
    return results;
}

// Waits until the coordinator has no unfinished transaction (5 min at most, sampling the CPU
// every second meanwhile); returns the seconds it took.
double drain(pb::Coordinator::Stub &stub, const std::function<void()> &tick)
{
    auto start = Clock::now();
    while (!testsupport::waitAllFinished(stub, std::chrono::seconds(1))
           && Clock::now() - start < std::chrono::seconds(300))
        tick();
    return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char **argv)
{
    Options o = parseOptions(argc, argv);
    std::signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);

    const std::string dir = o.keepDir.empty() ? testsupport::makeTempDir("txdesk-bench")
                                              : o.keepDir;
    std::filesystem::create_directories(dir);
    const std::string db = o.db.empty() ? dir + "/coordinator.db" : o.db;
    if (o.keepDir.empty() && o.db.empty())  // a fresh database; --keep reuses the one in DIR
        for (const char *suffix : {"", "-wal", "-shm"})
            std::filesystem::remove(db + suffix);
    auto cleanup = [&] {
        if (o.keepDir.empty())
            std::filesystem::remove_all(dir);
    };

    // Every keep-alive connection holds one participant thread: the direct clients (N), the
    // coordinator's pool (at most 64 per host, 256 cached) and some spare.
    ChildProcess participant(testsupport::binDir() + "/bench_participant",
                             {"--threads", std::to_string(2 * o.concurrency + 320)});
    if (!participant.start()) {
        std::cerr << "coordinator_bench: cannot start bench_participant\n";
        return cleanup(), 1;
    }
    const std::string participantAddress = participant.waitForLine("listening on ");
    if (participantAddress.empty()) {
        std::cerr << "coordinator_bench: bench_participant did not start:\n"
                  << participant.output();
        return cleanup(), 1;
    }
    const std::string base = "http://" + participantAddress;

    if (o.api == "dtm-http" && o.mode != "saga")
        usageError("--api dtm-http runs sagas (dtm's TCC calls its tries from the client)");
    std::vector<std::unique_ptr<ChildProcess>> coordinators;
    std::vector<std::string> addresses, dtmAddresses;
    for (int k = 0; k < o.instances; ++k) {
        std::vector<std::string> args{"--listen", "127.0.0.1:0",   "--db",
                                      db,         "--sqlite-sync", o.sqliteSync};
        if (o.api == "dtm-http")
            args.insert(args.end(), {"--dtm-listen", "127.0.0.1:0"});
        if (o.ping)  // Pings of 32 clients on one address outrun the default 10,000/s
            args.insert(args.end(), {"--rate-limit", "1000000"});
        coordinators.push_back(
            std::make_unique<ChildProcess>(testsupport::binDir() + "/coordinator-lite", args));
        if (!coordinators.back()->start()) {
            std::cerr << "coordinator_bench: cannot start coordinator-lite\n";
            return cleanup(), 1;
        }
        if (o.api == "dtm-http")
            dtmAddresses.push_back(coordinators.back()->waitForLine("dtm http listening on "));
        addresses.push_back(coordinators.back()->waitForLine("listening on "));
        if (addresses.back().empty()) {
            std::cerr << "coordinator_bench: coordinator-lite did not start:\n"
                      << coordinators.back()->output();
            return cleanup(), 1;
        }
    }
    ChildProcess &coordinator = *coordinators.front();
    const std::string &address = addresses.front();
    auto tick = [&] {
        for (auto &c : coordinators)
            c->output();
        participant.output();
    };
    auto alive = [&] {
        for (auto &c : coordinators)
            if (!c->running() || c->wait(std::chrono::milliseconds(1)) != -1) {
                std::cerr << "coordinator_bench: coordinator-lite exited:\n" << c->output();
                return false;
            }
        return true;  // all still running after a 1 ms look
    };
    const Workload work = makeWorkload(o, base);
    auto control = newStub(address, -1);

    // One Submit; true when it answered and (for wait_result) the transaction SUCCEEDED.
    std::atomic<long> dtmGids{0};
    auto submitOnce = [&](pb::Coordinator::Stub &stub, const std::string &gid,
                          std::string *error) -> bool {
        if (o.api == "dtm-http") {
            // As dtmcli's Saga.Submit: one POST with the whole saga; with wait_result, 200
            // means it succeeded.
            thread_local testsupport::bench::HttpClient http;
            nlohmann::ordered_json body = {
                {"gid", gid.empty() ? "bench-dtm-" + std::to_string(dtmGids.fetch_add(1)) : gid}};
            body.update(work.dtmSaga);
            const std::string &dtm = dtmAddresses[dtmGids.load() % dtmAddresses.size()];
            if (!http.post("http://" + dtm + "/api/dtmsvr/submit", body.dump())) {
                *error = "DTM submit did not answer 200";
                return false;
            }
            return true;
        }
        pb::SubmitRequest req;
        req.set_flow_json(work.flowJson);
        req.set_gid(gid);
        pb::SubmitReply reply;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        grpc::Status s = stub.Submit(&ctx, req, &reply);
        if (!s.ok()) {
            *error = "Submit: " + std::to_string(s.error_code()) + " " + s.error_message();
            return false;
        }
        const auto status = reply.transaction().summary().status();
        if (o.waitResult && status != pb::SUCCEEDED) {
            *error = "transaction ended " + pb::TxStatus_Name(status);
            return false;
        }
        return true;
    };

    // ---- history: finished transactions already in the database --------------------------
    double historySeconds = 0;
    long historyErrors = 0;
    if (o.history > 0) {
        std::atomic<long> next{0}, errors{0};
        auto start = Clock::now();
        std::vector<std::thread> threads;
        for (int i = 0; i < o.concurrency; ++i)
            threads.emplace_back([&, i] {
                auto stub = newStub(address, 100000 + i);
                std::string error;
                while (next.fetch_add(1) < o.history)
                    if (!submitOnce(*stub, {}, &error))
                        errors++;
            });
        auto lastReport = start;
        while (next.load() < o.history) {
            tick();
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            if (Clock::now() - lastReport > std::chrono::seconds(30)) {
                lastReport = Clock::now();
                std::cerr << "coordinator_bench: history " << std::min(next.load(), o.history)
                          << "/" << o.history << "\n";
            }
            if (!coordinator.running())
                break;
        }
        for (auto &t : threads)
            t.join();
        historySeconds = std::chrono::duration<double>(Clock::now() - start).count();
        historyErrors = errors;
        if (!o.waitResult)
            historySeconds += drain(*control, tick);
    }

    auto fileMb = [](const std::string &path) {
        std::error_code ec;
        auto size = std::filesystem::file_size(path, ec);
        return ec ? 0.0 : double(size) / (1024.0 * 1024.0);
    };
    const double dbMb = fileMb(db) + fileMb(db + "-wal");
    // The disk's floor, measured beside the database in the same run (SQLite; PostgreSQL's
    // disk is its server's, measured in the same folder tree).
    const double fsyncMs = testsupport::bench::syncWriteMs(dir);

    // ---- through the coordinator ----------------------------------------------------------
    Clock::time_point t0, t1;
    long calls0 = 0, calls1 = 0;
    CpuSample cpu0, cpu1;
    auto sampleCpu = [&](CpuSample *s) {
        s->at = Clock::now();
        s->coordinator = 0;
        for (auto &c : coordinators)
            s->coordinator += processCpuSeconds(c->pid());
        s->participant = processCpuSeconds(participant.pid());
        s->bench = selfCpuSeconds();
        s->machine = machineBusySeconds();
    };
    std::atomic<long> seq{0};
    auto coordinated = runPhase(
        o,
        [&](int i, Clock::time_point w0, Clock::time_point w1, ThreadResult &r) {
            auto stub = newStub(addresses[i % addresses.size()], i);
            std::string error;
            while (Clock::now() < w1) {
                std::string gid;
                if (!o.waitResult)
                    gid = "bench-" + std::to_string(seq.fetch_add(1));
                auto a = Clock::now();
                bool ok = submitOnce(*stub, gid, &error);
                auto b = Clock::now();
                if (!ok) {
                    if (a >= w0 && b <= w1) {
                        r.errors++;
                        if (r.firstError.empty())
                            r.firstError = error + intoTheWindow(a, w0);
                    }
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                    continue;
                }
                if (a >= w0 && b <= w1) {
                    r.latenciesMs.push_back(
                        std::chrono::duration<double, std::milli>(b - a).count());
                    if (!o.waitResult)
                        r.pendingGids.push_back(gid);
                }
            }
        },
        tick, &t0, &t1,
        [&] {
            calls0 = participantCalls(base);
            sampleCpu(&cpu0);
        },
        [&] {
            calls1 = participantCalls(base);
            sampleCpu(&cpu1);
        });
    PhaseResult viaCoordinator = summarise(coordinated, o.seconds);
    if (!alive())
        return cleanup(), 1;

    // wait_result=false: Submit only acknowledged durability; every counted transaction must
    // still end SUCCEEDED.
    double drainSeconds = 0;
    if (!o.waitResult) {
        drainSeconds = drain(*control, tick);
        long notSucceeded = 0;
        for (const std::string &gid : viaCoordinator.pendingGids) {
            pb::GetRequest req;
            req.set_gid(gid);
            pb::Transaction tx;
            grpc::ClientContext ctx;
            ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
            if (!control->Get(&ctx, req, &tx).ok() || tx.summary().status() != pb::SUCCEEDED) {
                if (viaCoordinator.firstError.empty())
                    viaCoordinator.firstError = gid + " did not end SUCCEEDED";
                notSucceeded++;
            }
        }
        viaCoordinator.ok -= notSucceeded;
        viaCoordinator.errors += notSucceeded;
    }

    // ---- the baseline: the same calls, straight to the participant --------------------------
    PhaseResult direct;
    CpuSample directCpu;  // cores busy on average during the direct phase
    if (o.direct) {
        std::atomic<long> dseq{0};
        Clock::time_point d0, d1;
        CpuSample dcpu0, dcpu1;
        auto directResults = runPhase(
            o,
            [&](int, Clock::time_point w0, Clock::time_point w1, ThreadResult &r) {
                HttpClient client;
                std::vector<std::string> urls;
                for (const Call &c : work.directCalls)
                    urls.push_back(base + c.path + "?gid=");
                std::string url;
                while (Clock::now() < w1) {
                    const std::string gid = "direct-" + std::to_string(dseq.fetch_add(1));
                    auto a = Clock::now();
                    bool ok = true;
                    for (size_t k = 0; k < work.directCalls.size() && ok; ++k) {
                        const Call &c = work.directCalls[k];
                        url = urls[k];
                        url += gid;
                        url += "&trans_type=" + work.transType + "&branch_id=" + c.branchId
                            + "&op=" + c.op;
                        ok = client.post(url, work.payload);
                    }
                    auto b = Clock::now();
                    if (a < w0 || b > w1)
                        continue;
                    if (ok)
                        r.latenciesMs.push_back(
                            std::chrono::duration<double, std::milli>(b - a).count());
                    else if (r.errors++ == 0)
                        r.firstError = "direct call " + url + ": " + client.lastError()
                            + intoTheWindow(a, w0);
                }
            },
            tick, &d0, &d1, [&] { sampleCpu(&dcpu0); }, [&] { sampleCpu(&dcpu1); });
        const double dwindow = std::chrono::duration<double>(dcpu1.at - dcpu0.at).count();
        if (dwindow > 0) {
            directCpu.participant = (dcpu1.participant - dcpu0.participant) / dwindow;
            directCpu.bench = (dcpu1.bench - dcpu0.bench) / dwindow;
            directCpu.machine = (dcpu1.machine - dcpu0.machine) / dwindow;
        }
        direct = summarise(directResults, o.seconds);
    }

    // ---- the gRPC floor: the same clients calling Ping (nothing stored, nothing called) ------
    PhaseResult pings;
    double pingCoordinatorCpu = 0;  // cores busy in the coordinator during the Ping phase
    if (o.ping) {
        Clock::time_point p0, p1;
        CpuSample pcpu0, pcpu1;
        auto pingResults = runPhase(
            o,
            [&](int i, Clock::time_point w0, Clock::time_point w1, ThreadResult &r) {
                auto stub = newStub(addresses[i % addresses.size()], i);
                while (Clock::now() < w1) {
                    pb::PingRequest req;
                    pb::PingReply reply;
                    grpc::ClientContext ctx;
                    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
                    auto a = Clock::now();
                    grpc::Status st = stub->Ping(&ctx, req, &reply);
                    auto b = Clock::now();
                    if (a < w0 || b > w1)
                        continue;
                    if (st.ok())
                        r.latenciesMs.push_back(
                            std::chrono::duration<double, std::milli>(b - a).count());
                    else if (r.errors++ == 0)
                        r.firstError = "Ping: " + st.error_message();
                }
            },
            tick, &p0, &p1, [&] { sampleCpu(&pcpu0); }, [&] { sampleCpu(&pcpu1); });
        const double pwindow = std::chrono::duration<double>(pcpu1.at - pcpu0.at).count();
        if (pwindow > 0)
            pingCoordinatorCpu = (pcpu1.coordinator - pcpu0.coordinator) / pwindow;
        pings = summarise(pingResults, o.seconds);
    }

    // ---- report ---------------------------------------------------------------------------
    const double window = std::chrono::duration<double>(cpu1.at - cpu0.at).count();
    const double txPerS = double(viaCoordinator.ok) / o.seconds;
    const double directTxPerS = o.direct ? double(direct.ok) / o.seconds : 0;
    auto round3 = [](double v) { return std::round(v * 1000) / 1000; };
    auto round1 = [](double v) { return std::round(v * 10) / 10; };
    nlohmann::ordered_json out;
    out["mode"] = o.mode;
    out["api"] = o.api;
    out["branches"] = o.branches;
    out["concurrency"] = o.concurrency;
    out["seconds"] = o.seconds;
    out["db"] = o.db.empty() ? "sqlite" : "postgresql";
    out["instances"] = o.instances;
    if (o.db.empty())
        out["sqlite_sync"] = o.sqliteSync;
    out["wait_result"] = o.waitResult;
    out["parallel"] = o.parallel;
    out["history"] = o.history;
    out["tx_per_s"] = round1(txPerS);
    out["p50_ms"] = round3(viaCoordinator.p50);
    out["p99_ms"] = round3(viaCoordinator.p99);
    out["participant_calls_per_s"] =
        round1(calls0 >= 0 && calls1 >= 0 && window > 0 ? double(calls1 - calls0) / window : -1);
    out["direct_tx_per_s"] = round1(directTxPerS);
    out["direct_p50_ms"] = round3(direct.p50);
    out["direct_p99_ms"] = round3(direct.p99);
    out["ratio"] = directTxPerS > 0 ? round3(txPerS / directTxPerS) : 0.0;
    out["added_p50_ms"] = round3(viaCoordinator.p50 - direct.p50);
    out["errors"] = viaCoordinator.errors + direct.errors;
    out["direct_errors"] = direct.errors;
    // Average cores busy per process during the coordinator phase (2 cores = 2.0).
    if (window > 0) {
        out["coordinator_cpu"] = round3((cpu1.coordinator - cpu0.coordinator) / window);
        out["participant_cpu"] = round3((cpu1.participant - cpu0.participant) / window);
        out["bench_cpu"] = round3((cpu1.bench - cpu0.bench) / window);
        // Busy cores not explained by the three processes of the run: other load on the machine
        // (a build, ...). Near 0 for a clean measurement.
        out["other_cpu"] = round3(
            (cpu1.machine - cpu0.machine) / window - (cpu1.coordinator - cpu0.coordinator) / window
            - (cpu1.participant - cpu0.participant) / window - (cpu1.bench - cpu0.bench) / window);
    }
    if (o.direct) {
        out["direct_participant_cpu"] = round3(directCpu.participant);
        out["direct_bench_cpu"] = round3(directCpu.bench);
        out["direct_other_cpu"] =
            round3(directCpu.machine - directCpu.participant - directCpu.bench);
    }
    // Per saga, in one run: the coordinator's CPU against the participant's for the same calls,
    // and the added latency against one synchronous write (docs/performance.md).
    if (window > 0 && txPerS > 0) {
        const double coordinatorUs = (cpu1.coordinator - cpu0.coordinator) / window / txPerS * 1e6;
        const double participantUs = (cpu1.participant - cpu0.participant) / window / txPerS * 1e6;
        out["coordinator_us_per_tx"] = round1(coordinatorUs);
        out["participant_us_per_tx"] = round1(participantUs);
        out["cpu_ratio"] = participantUs > 0 ? round3(coordinatorUs / participantUs) : 0.0;
    }
    if (o.ping && pings.ok > 0) {
        const double pingsPerS = double(pings.ok) / o.seconds;
        out["pings_per_s"] = round1(pingsPerS);
        out["coordinator_us_per_ping"] = round1(pingCoordinatorCpu / pingsPerS * 1e6);
        out["ping_errors"] = pings.errors;
        if (!pings.firstError.empty())
            out["ping_first_error"] = pings.firstError;
    }
    out["fsync_ms"] = round3(fsyncMs);
    if (fsyncMs > 0)
        out["added_p50_per_fsync"] = round3((viaCoordinator.p50 - direct.p50) / fsyncMs);
    if (!o.waitResult)
        out["drain_s"] = round3(drainSeconds);
    if (o.history > 0) {
        out["history_s"] = round1(historySeconds);
        out["history_tx_per_s"] = round1(double(o.history) / historySeconds);
        out["history_errors"] = historyErrors;
    }
    out["db_mb"] = round1(dbMb);  // database + WAL size when the measurement started
    if (!viaCoordinator.firstError.empty())
        out["first_error"] = viaCoordinator.firstError;
    if (!direct.firstError.empty())
        out["direct_first_error"] = direct.firstError;
    std::cout << out.dump() << std::endl;

    control.reset();
    for (auto &c : coordinators)
        c->signal(SIGTERM);
    for (auto &c : coordinators)
        if (int code = c->wait(std::chrono::seconds(20)); code != 0)
            std::cerr << "coordinator_bench: coordinator-lite exited with " << code << ":\n"
                      << c->output();
    participant.signal(SIGTERM);
    participant.wait(std::chrono::seconds(10));
    cleanup();
    curl_global_cleanup();
    return viaCoordinator.ok > 0 ? 0 : 1;
}
