// store_bench: the cost of the SQLite store's group commit, apart from everything else.
//
// Commits batches of the writes one two-branch saga makes on its fast path (the insert, then
// the final write with two attempts, two operation changes and three events) and prints one
// JSON line: transactions/s, microseconds per write, per batch, and per commit of a batch.
// Run it with --sync normal to see the CPU side alone (no fsync per commit).
//   store_bench [--batch 100] [--batches 200] [--sync full|normal] [--db FILE]
// With --db the database is kept (and grows run after run): `--batches 20000 --db
// DIR/coordinator.db` leaves 1M finished sagas for `coordinator_bench --keep DIR` (cost with a
// large history).
#include "storage/sqlite/sqlitestore.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

using namespace coord;
using namespace coord::domain;

namespace {

Transaction sagaOf(const std::string &gid, int64_t now)
{
    Transaction tx;
    tx.summary.gid = gid;
    tx.summary.type = TxType::Saga;
    tx.summary.status = TxStatus::Submitted;
    tx.summary.flowName = "bench";
    tx.summary.createdMs = tx.summary.updatedMs = now;
    tx.summary.branchCount = 2;
    tx.summary.owner = "bench";
    tx.flowJson = std::string(400, 'f');
    for (const char *id : {"b0", "b1"}) {
        Branch b;
        b.id = id;
        b.payload = R"({"amount":30})";
        b.ops.push_back(
            {OpKind::Action, "http://127.0.0.1:1/api/action", OpStatus::Pending, 0, {}});
        b.ops.push_back(
            {OpKind::Compensate, "http://127.0.0.1:1/api/comp", OpStatus::Pending, 0, {}});
        tx.branches.push_back(std::move(b));
    }
    return tx;
}

Event eventOf(EventKind kind, int64_t now, const char *branch = "")
{
    Event e;
    e.kind = kind;
    e.atMs = now;
    e.branchId = branch;
    return e;
}

}  // namespace

int main(int argc, char **argv)
{
    int batch = 100, batches = 200;
    auto sync = storage::SqliteStore::Sync::Full;
    std::string keptDb;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--batch")
            batch = std::atoi(v.c_str());
        else if (k == "--batches")
            batches = std::atoi(v.c_str());
        else if (k == "--db")
            keptDb = v;
        else if (k == "--sync")
            sync = v == "full" ? storage::SqliteStore::Sync::Full
                               : storage::SqliteStore::Sync::Normal;
    }
    const auto dir = std::filesystem::temp_directory_path()
        / ("store_bench_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    auto store = storage::SqliteStore::open(keptDb.empty() ? (dir / "bench.db").string() : keptDb,
                                            sync);
    if (!store.ok()) {
        std::fprintf(stderr, "store_bench: %s\n", std::string(store.status().message()).c_str());
        return 1;
    }
    using Clock = std::chrono::steady_clock;
    int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    const std::string run = std::to_string(now) + "-";  // gids stay unique in a kept database
    int serial = 0;
    double commitUs = 0;
    auto started = Clock::now();
    for (int n = 0; n <= batches; ++n) {
        // Half of each batch inserts new sagas, half finishes the ones inserted before; the
        // last batch only finishes, so every saga ends finished.
        std::vector<storage::TxWrite> writes;
        for (int i = 0; n < batches && i < batch / 2; ++i) {
            storage::TxWrite w;
            w.gid = run + std::to_string(serial + i);
            w.insert = sagaOf(w.gid, now);
            w.events.push_back(eventOf(EventKind::TxCreated, now));
            writes.push_back(std::move(w));
        }
        for (int i = 0; n > 0 && i < batch / 2; ++i) {
            storage::TxWrite w;
            w.gid = run + std::to_string(serial - batch / 2 + i);
            TxSummary s = sagaOf(w.gid, now).summary;
            s.status = TxStatus::Succeeded;
            s.finishedMs = now;
            w.summary = s;
            w.expectStatus = TxStatus::Submitted;
            for (const char *b : {"b0", "b1"}) {
                w.ops.push_back({b, OpKind::Action, OpStatus::Succeeded, 1});
                w.attempts.push_back(
                    {b, OpKind::Action,
                     Attempt{now, now + 1, AttemptOutcome::Success, 200, "", "{}"}});
                w.events.push_back(eventOf(EventKind::AttemptFinished, now, b));
            }
            w.events.push_back(eventOf(EventKind::TxStatusChanged, now));
            writes.push_back(std::move(w));
        }
        if (n < batches)
            serial += batch / 2;
        auto t0 = Clock::now();
        auto results = (*store)->commit(writes);
        commitUs += std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
        for (const auto &r : results)
            if (!r.status.ok()) {
                std::fprintf(stderr, "store_bench: %s\n", std::string(r.status.message()).c_str());
                return 1;
            }
        ++now;
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    const double writes = double(batch) * batches;
    std::printf(
        "{\"sync\":\"%s\",\"batch\":%d,\"batches\":%d,\"tx_per_s\":%.0f,\"us_per_write\":%.1f,"
        "\"us_per_commit\":%.0f}\n",
        sync == storage::SqliteStore::Sync::Full ? "full" : "normal", batch, batches,
        serial / seconds, commitUs / writes, commitUs / (batches + 1));
    std::filesystem::remove_all(dir);
    return 0;
}
