#pragma once

#include <string>

namespace testsupport {

// Disk faults for tests, the way SQLite's own test suite makes them: a VFS over the default one
// (installed as the process's default) that makes writes to chosen files fail as a full disk
// (SQLITE_FULL) or a read-only / failing disk (SQLITE_IOERR_WRITE) would. Everything else — the
// files, the locking, the WAL — is the real thing.
class FaultyDisk
{
public:
    enum class Fault { None, Full, ReadOnly };

    static void install();  // idempotent
    // Files whose path contains `pathPart` (the database, its -wal and -shm) get `fault`.
    static void set(Fault fault, const std::string &pathPart = {});
    static int failedWrites();  // since the last set()
    static int writeCalls();    // write calls that reached this VFS, failed or not, ever
};

}  // namespace testsupport
