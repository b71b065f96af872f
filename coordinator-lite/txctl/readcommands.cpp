// txctl commands that read: ping, list, get, submit, watch, audit.
#include "commands.h"

#include "jsonview.h"

#include "api/protoconvert.h"
#include "domain/faultplan.h"

#include <cstdio>
#include <iostream>

namespace txctl {

int cmdPing(Session &s)
{
    requireNoMore(s.cli().args);
    pb::PingRequest req;
    pb::PingReply reply;
    auto ctx = s.context(std::chrono::seconds(5));
    auto t0 = std::chrono::steady_clock::now();
    grpc::Status st = s.stub().Ping(ctx.get(), req, &reply);
    if (!st.ok())
        return fail(s.cli(), st);
    auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    if (s.cli().json) {
        Json j;
        j["addr"] = s.cli().addr;
        j["version"] = reply.version();
        j["instance_id"] = reply.instance_id();
        j["last_seq"] = reply.last_seq();
        j["round_trip_us"] = us;
        std::cout << j.dump() << "\n";
    } else {
        std::cout << "coordinator-lite " << reply.version() << " at " << s.cli().addr
                  << " (instance " << reply.instance_id() << ", last event " << reply.last_seq()
                  << ") answered in " << us / 1000.0 << " ms\n";
    }
    return 0;
}

int cmdList(Session &s)
{
    const Cli &cli = s.cli();
    auto &args = s.cli().args;
    pb::ListRequest req;
    for (pb::TxStatus status : takeStatuses(args))
        req.add_statuses(status);
    if (auto limit = takeNumber(args, "--limit", 1, 10000, "a number between 1 and 10000"))
        req.set_limit(static_cast<int>(*limit));
    if (auto text = takeOption(args, "--text"))
        req.set_text(*text);
    req.set_stuck_only(takeFlag(args, "--stuck"));
    requireNoMore(args);

    pb::ListReply reply;
    auto ctx = s.context(std::chrono::seconds(30));
    grpc::Status st = s.stub().List(ctx.get(), req, &reply);
    if (!st.ok())
        return fail(cli, st);
    if (cli.json) {
        Json j;
        Json list = Json::array();
        for (const auto &t : reply.transactions())
            list.push_back(txctl::toJson(t));
        j["transactions"] = std::move(list);
        j["next_cursor"] = reply.next_cursor();
        std::cout << j.dump() << "\n";
        return 0;
    }
    if (reply.transactions().empty()) {
        std::cout << "no transactions\n";
        return 0;
    }
    std::printf("%-36s %-5s %-10s %-8s %s\n", "GID", "TYPE", "STATUS", "BRANCHES", "STUCK");
    for (const auto &t : reply.transactions())
        std::printf("%-36s %-5s %-10s %-8d %s\n", t.gid().c_str(),
                    txctl::typeName(t.type()).c_str(), txctl::statusName(t.status()).c_str(),
                    t.branch_count(), t.stuck_reason().c_str());
    return 0;
}

namespace {

void printTransaction(const Cli &cli, const pb::Transaction &t)
{
    if (cli.json) {
        std::cout << txctl::toJson(t).dump() << "\n";
        return;
    }
    const auto &s = t.summary();
    std::cout << "gid      " << s.gid() << "\n"
              << "type     " << txctl::typeName(s.type()) << "\n"
              << "status   " << txctl::statusName(s.status()) << "\n";
    if (!s.flow_name().empty())
        std::cout << "flow     " << s.flow_name() << "\n";
    if (!s.business_key().empty())
        std::cout << "key      " << s.business_key() << "\n";
    if (!s.rollback_reason().empty())
        std::cout << "reason   " << s.rollback_reason() << "\n";
    if (!s.stuck_reason().empty())
        std::cout << "stuck    " << s.stuck_reason() << "\n";
    for (const auto &b : t.branches()) {
        std::cout << "branch " << b.id() << (b.name().empty() ? "" : " (" + b.name() + ")") << "\n";
        for (const auto &o : b.ops())
            std::printf("  %-10s %-9s %2d attempt(s)  %s\n", txctl::opName(o.op()).c_str(),
                        txctl::opStatusName(o.status()).c_str(), o.attempt_count(),
                        o.attempts().empty() ? "" : o.attempts().rbegin()->error().c_str());
    }
}

}  // namespace

int cmdSubmit(Session &s)
{
    auto &args = s.cli().args;
    pb::SubmitRequest req;
    if (auto gid = takeOption(args, "--gid"))
        req.set_gid(*gid);
    if (auto key = takeOption(args, "--business-key"))
        req.set_business_key(*key);
    if (auto o = takeOption(args, "--payload-override"))
        req.set_payload_override_json(*o);
    const long long timeout = takeNumber(args, "--timeout", 1, 365LL * 24 * 3600,
                                         "a number of seconds above 0")
                                  .value_or(120);
    req.set_wait(takeFlag(args, "--wait"));
    std::vector<coord::domain::FaultRule> faults;
    while (auto fault = takeOption(args, "--fault")) {
        auto rule = coord::domain::parseFaultRule(*fault);
        if (!rule.ok())
            throw UsageError(std::string(rule.status().message()));
        faults.push_back(*rule);
    }
    coord::api::toProto(faults, req.mutable_faults());
    if (args.size() != 1)
        throw UsageError("submit needs exactly one FILE");
    req.set_flow_json(readFile(args.front(), ""));
    pb::SubmitReply reply;
    auto ctx = s.context(std::chrono::seconds(timeout));
    grpc::Status st = s.stub().Submit(ctx.get(), req, &reply);
    if (!st.ok())
        return fail(s.cli(), st);
    if (req.wait() || s.cli().json)
        printTransaction(s.cli(), reply.transaction());
    else
        std::cout << "submitted " << reply.transaction().summary().gid() << " ("
                  << txctl::statusName(reply.transaction().summary().status()) << ")\n";
    return 0;
}

int cmdGet(Session &s)
{
    auto &args = s.cli().args;
    if (args.size() != 1)
        throw UsageError("get needs exactly one GID");
    pb::GetRequest req;
    req.set_gid(args.front());
    pb::Transaction reply;
    auto ctx = s.context(std::chrono::seconds(30));
    grpc::Status st = s.stub().Get(ctx.get(), req, &reply);
    if (!st.ok())
        return fail(s.cli(), st);
    printTransaction(s.cli(), reply);
    return 0;
}

int cmdWatch(Session &s)
{
    auto &args = s.cli().args;
    pb::WatchRequest req;
    if (auto from = takeNumber(args, "--from", 0, INT64_MAX, "a sequence number >= 0"))
        req.set_from_seq(*from);
    requireNoMore(args);
    auto ctx = s.context(std::chrono::seconds(0));  // a stream runs until stopped
    auto reader = s.stub().Watch(ctx.get(), req);
    pb::Event e;
    while (reader->Read(&e)) {
        if (s.cli().json) {
            std::cout << txctl::toJson(e).dump() << std::endl;
            continue;
        }
        std::cout << e.seq() << " " << e.gid() << " " << txctl::statusName(e.summary().status());
        if (!e.branch_id().empty())
            std::cout << " " << e.branch_id() << "/" << txctl::opName(e.op()) << " "
                      << txctl::opStatusName(e.op_status());
        if (!e.message().empty())
            std::cout << " " << e.message();
        std::cout << std::endl;
    }
    grpc::Status st = reader->Finish();
    return st.ok() ? 0 : fail(s.cli(), st);
}

int cmdAudit(Session &s)
{
    auto &args = s.cli().args;
    pb::ListAuditRequest req;
    if (auto gid = takeOption(args, "--gid"))
        req.set_gid(*gid);
    if (auto limit = takeOption(args, "--limit"))
        req.set_limit(std::atoi(limit->c_str()));
    requireNoMore(args);
    pb::ListAuditReply reply;
    auto ctx = s.context(std::chrono::seconds(30));
    grpc::Status st = s.admin().ListAudit(ctx.get(), req, &reply);
    if (!st.ok())
        return fail(s.cli(), st);
    for (const auto &e : reply.entries()) {
        if (s.cli().json) {
            std::cout << txctl::toJson(e).dump() << "\n";
            continue;
        }
        std::printf("%lld %s %s(%s) %s %s%s%s: %s -> %s [%s] %s%s%s\n",
                    static_cast<long long>(e.id()), std::to_string(e.at_ms()).c_str(),
                    e.who().c_str(), e.role().c_str(), e.action().c_str(), e.gid().c_str(),
                    e.branch_id().empty() ? "" : "/", e.branch_id().c_str(),
                    e.state_before().c_str(), e.state_after().c_str(), e.outcome().c_str(),
                    e.reason().c_str(), e.detail().empty() ? "" : " — ", e.detail().c_str());
    }
    return 0;
}

}  // namespace txctl
