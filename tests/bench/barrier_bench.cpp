// barrier_bench: the consistency inspector over a large barrier table (issue 14).
//
// Fills a coordinator store with N finished (rolled-back) two-branch sagas and a service's
// SQLite barrier table with their 4 rows each (action and compensate of both branches: 1M rows
// for the default 250,000 gids), starts a real coordinator-lite on the store, and times, in the
// same run: reading the whole table page by page alone (the floor), then the full inspection
// (each page's gids looked up with one GetMany). Prints one JSON line.
//   barrier_bench [--gids 250000] [--page 500] [--dir DIR]   (DIR is kept when given)
#include "barrier/barrierinspection.h"
#include "client/recordlookup.h"
#include "storage/sqlite/sqlite.h"
#include "storage/sqlite/sqlitestore.h"
#include "support/coordinatorprocess.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

using namespace coord;
using namespace coord::domain;

namespace {

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string gidOf(int i)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "transfer-%08d", i);
    return buf;
}

Transaction rolledBack(const std::string &gid, int64_t now)
{
    Transaction tx;
    tx.summary.gid = gid;
    tx.summary.type = TxType::Saga;
    tx.summary.status = TxStatus::Failed;
    tx.summary.flowName = "transfer";
    tx.summary.createdMs = tx.summary.updatedMs = tx.summary.finishedMs = now;
    tx.summary.branchCount = 2;
    for (const char *id : {"out", "in"}) {
        Branch b;
        b.id = id;
        b.ops.push_back({OpKind::Action, "http://bank:8081/api/Trans", OpStatus::Succeeded, 1, {}});
        b.ops.push_back(
            {OpKind::Compensate, "http://bank:8081/api/Undo", OpStatus::Succeeded, 1, {}});
        tx.branches.push_back(std::move(b));
    }
    return tx;
}

bool fill(const std::string &dir, int gids)
{
    auto store = storage::SqliteStore::open(dir + "/coordinator.db");
    auto bank = storage::sqlite::Connection::open(dir + "/bank.db", false);
    if (!store.ok() || !bank.ok())
        return false;
    const int64_t now = 1'700'000'000'000;
    for (int first = 0; first < gids; first += 1000) {
        std::vector<storage::TxWrite> batch;
        for (int i = first; i < std::min(gids, first + 1000); ++i) {
            storage::TxWrite w;
            w.gid = gidOf(i);
            w.insert = rolledBack(w.gid, now);
            batch.push_back(std::move(w));
        }
        for (const auto &r : (*store)->commit(batch))
            if (!r.status.ok())
                return std::fprintf(stderr, "store: %s\n", r.status.ToString().c_str()), false;
    }
    if (!(*bank)
             ->exec("CREATE TABLE barrier (trans_type TEXT NOT NULL, gid TEXT NOT NULL, "
                    "branch_id TEXT NOT NULL, op TEXT NOT NULL, barrier_id TEXT NOT NULL "
                    "DEFAULT '01', reason TEXT NOT NULL, PRIMARY KEY (gid, branch_id, op, "
                    "barrier_id)); BEGIN")
             .ok())
        return false;
    for (int i = 0; i < gids; ++i)
        for (const char *branch : {"out", "in"})
            for (const char *op : {"action", "compensate"}) {
                auto ins = (*bank)->prepare("INSERT INTO barrier (trans_type, gid, branch_id, op, "
                                            "reason) VALUES ('saga', ?1, ?2, ?3, ?3)");
                if (!ins.ok())
                    return false;
                (*ins)->add(gidOf(i)).add(branch).add(op);
                if (!(*ins)->run().ok())
                    return false;
            }
    return (*bank)->exec("COMMIT").ok();
}

}  // namespace

int main(int argc, char **argv)
{
    int gids = 250'000, page = 500;
    std::string dir;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        if (key == "--gids")
            gids = std::atoi(argv[i + 1]);
        else if (key == "--page")
            page = std::atoi(argv[i + 1]);
        else if (key == "--dir")
            dir = argv[i + 1];
        else
            return std::fprintf(stderr, "usage: barrier_bench [--gids N] [--page N] [--dir D]\n"),
                   2;
    }
    const bool keep = !dir.empty();
    if (!keep)
        dir = testsupport::makeTempDir("txdesk-barrier-bench");
    std::filesystem::create_directories(dir);
    auto started = std::chrono::steady_clock::now();
    if (!std::filesystem::exists(dir + "/bank.db") && !fill(dir, gids))
        return std::fprintf(stderr, "barrier_bench: filling %s failed\n", dir.c_str()), 1;
    const double fillS = secondsSince(started);

    testsupport::CoordinatorProcess coordinator(dir + "/coordinator.db");
    if (!coordinator.start())
        return std::fprintf(stderr, "%s\n", coordinator.output().c_str()), 1;
    auto table = barrier::openBarrierTable(dir + "/bank.db", "", barrier::Access::ReadOnly);
    if (!table.ok())
        return std::fprintf(stderr, "%s\n", table.status().ToString().c_str()), 1;

    // The floor: the table read page by page, nothing looked up.
    started = std::chrono::steady_clock::now();
    int64_t rows = 0, read = 0;
    for (std::string after;;) {
        auto p = (*table)->nextGids(after, page);
        if (!p.ok() || p->empty())
            break;
        read += static_cast<int64_t>(p->size());
        for (const auto &g : *p)
            rows += static_cast<int64_t>(g.rows.size());
        after = p->back().gid;
    }
    const double scanS = secondsSince(started);

    client::ConnectionOptions options;
    options.address = coordinator.address();
    client::Connection connection(options);
    barrier::InspectionOptions inspection;
    inspection.pageGids = page;
    started = std::chrono::steady_clock::now();
    auto counts = barrier::inspectTable(**table,
                                        [&](const std::vector<std::string> &g) {
                                            return client::getRecords(connection, g,
                                                                      std::chrono::seconds(60));
                                        },
                                        inspection, {});
    const double inspectS = secondsSince(started);
    if (!counts.ok())
        return std::fprintf(stderr, "%s\n", counts.status().ToString().c_str()), 1;
    std::printf("{\"bench\":\"inspect-barrier\",\"rows\":%lld,\"gids\":%lld,\"page_gids\":%d,"
                "\"problems\":%lld,\"fill_s\":%.1f,\"scan_s\":%.2f,\"inspect_s\":%.2f,"
                "\"rows_per_s\":%.0f,\"inspect_to_scan\":%.2f,\"gid_index\":%s}\n",
                static_cast<long long>(counts->rows), static_cast<long long>(counts->gids), page,
                static_cast<long long>(counts->problems), fillS, scanS, inspectS,
                counts->rows / inspectS, inspectS / scanS,
                (*table)->hasGidIndex().value_or(false) ? "true" : "false");
    coordinator.terminate();
    if (!keep)
        std::filesystem::remove_all(dir);
    return read == counts->gids && rows == counts->rows ? 0 : 1;
}
