#pragma once

#include <absl/status/statusor.h>

#include <memory>
#include <optional>
#include <string>

namespace coord::storage {

// Open-file-description locks (fcntl F_OFD_*): owned by one open file like flock(2), dropped by
// the kernel when the process ends however it ends, and testable without taking them.
namespace filelock {
int open(const std::string &path);  // created if missing; -1 with errno on failure
bool tryLock(int fd, bool exclusive);
bool heldByOthers(int fd);  // whether another open file holds any lock on it
}  // namespace filelock

// Who holds a database's lock: the live coordinator on that file.
struct LockHolder {
    long pid = 0;
    std::string address;     // gRPC "host:port", once it listens
    std::string dtmAddress;  // DTM HTTP API "host:port", when served

    std::string describe() const;  // "coordinator-lite pid 4242 listening on 127.0.0.1:40123"
};

// One live coordinator per SQLite file: an exclusive lock on the sidecar FILE.lock, held for the
// life of the store. A SIGKILLed holder leaves no stale lock (the kernel drops it); the sidecar's
// text only says who holds it. Costs nothing on the hot path: it is taken once, at open.
class DatabaseLock
{
public:
    // FailedPrecondition naming the file and the holder when a live process has it.
    static absl::StatusOr<std::unique_ptr<DatabaseLock>> acquire(const std::string &dbPath);
    // The live holder of dbPath's lock, or nothing when no process holds it. Never takes it.
    static std::optional<LockHolder> holder(const std::string &dbPath);
    static std::string sidecarPath(const std::string &dbPath) { return dbPath + ".lock"; }

    ~DatabaseLock();
    DatabaseLock(const DatabaseLock &) = delete;
    DatabaseLock &operator=(const DatabaseLock &) = delete;

    // Records where the holder listens, for the next process that finds the file taken.
    void announce(const std::string &address, const std::string &dtmAddress = {});

private:
    explicit DatabaseLock(int fd) : m_fd(fd) {}
    void write(const LockHolder &holder);

    int m_fd = -1;
};

}  // namespace coord::storage
