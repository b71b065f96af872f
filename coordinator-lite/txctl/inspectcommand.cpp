// txctl inspect-barrier: a participant's barrier table held against the coordinator's record of
// the same gids (barrier/consistency.h), read only, a page of gids at a time.
#include "commands.h"

#include "api/protoconvert.h"
#include "barrier/consistency.h"
#include "barrier/sqlitebarrierreader.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace txctl {

namespace {

// DSN forms: a SQLite file path, or sqlite:PATH. PostgreSQL and MySQL barrier tables are not
// read by this version: said so, not guessed at.
std::string sqlitePathOf(const std::string &dsn)
{
    for (const char *unsupported : {"postgres://", "postgresql://", "mysql://", "mariadb://"})
        if (dsn.rfind(unsupported, 0) == 0)
            throw UsageError("inspect-barrier reads SQLite barrier tables in this version; "
                             + dsn.substr(0, dsn.find(':')) + " is not supported yet");
    return dsn.rfind("sqlite:", 0) == 0 ? dsn.substr(7) : dsn;
}

}  // namespace

int cmdInspectBarrier(Session &s)
{
    auto &args = s.cli().args;
    const auto dsn = takeOption(args, "--db");
    if (!dsn)
        throw UsageError("inspect-barrier needs --db PATH (the participant's SQLite file)");
    const std::string table = takeOption(args, "--table").value_or("barrier");
    const std::string participant = takeOption(args, "--participant").value_or("");
    requireNoMore(args);
    auto reader = coord::barrier::SqliteBarrierReader::open(sqlitePathOf(*dsn), table);
    if (!reader.ok()) {
        std::cerr << "txctl: " << reader.status().message() << "\n";
        return 1;
    }
    int64_t gids = 0, rows = 0, problems = 0, inFlight = 0;
    std::string after;
    for (;;) {
        auto page = (*reader)->nextGids(after, 500);
        if (!page.ok()) {
            std::cerr << "txctl: reading " << *dsn << ": " << page.status().message() << "\n";
            return 1;
        }
        if (page->empty())
            break;
        for (const auto &[gid, gidRows] : *page) {
            ++gids;
            rows += static_cast<int64_t>(gidRows.size());
            after = gid;
            pb::GetRequest req;
            req.set_gid(gid);
            pb::Transaction reply;
            auto ctx = s.context(std::chrono::seconds(30));
            grpc::Status st = s.stub().Get(ctx.get(), req, &reply);
            if (!st.ok() && st.error_code() != grpc::StatusCode::NOT_FOUND)
                return fail(s.cli(), st);
            std::optional<coord::domain::Transaction> record;
            if (st.ok())
                record = coord::api::fromProto(reply);
            for (const auto &f : coord::barrier::inspectGid(gid, gidRows, record, participant)) {
                const bool problem = coord::barrier::isProblem(f.kind);
                problems += problem;
                inFlight += !problem;
                if (s.cli().json) {
                    std::cout << nlohmann::json{{"gid", f.gid},
                                                {"branch_id", f.branchId},
                                                {"finding", toString(f.kind)},
                                                {"problem", problem},
                                                {"detail", f.detail},
                                                {"suggestion", f.suggestion}}
                                     .dump()
                              << "\n";
                } else {
                    std::cout << f.gid << (f.branchId.empty() ? "" : " / " + f.branchId) << ": "
                              << toString(f.kind) << " — " << f.detail << " → " << f.suggestion
                              << "\n";
                }
            }
        }
    }
    if (!s.cli().json)
        std::cout << gids << " gid(s), " << rows << " row(s) read: " << problems << " problem(s), "
                  << inFlight << " in flight\n";
    return problems > 0 ? 1 : 0;
}

}  // namespace txctl
