#include "faultydisk.h"

#include "storage/sqlite/vfsshim.h"

#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <mutex>

namespace testsupport {

namespace {

std::mutex g_mutex;
std::string g_pathPart;
std::atomic<int> g_fault{0};
std::atomic<int> g_failedWrites{0};
std::atomic<int> g_writeCalls{0};
sqlite3_vfs *g_real = nullptr;
sqlite3_vfs g_vfs;

struct FaultyFile {
    sqlite3_file base;
    sqlite3_file *real;  // the real file, right after this struct
    const char *name;    // valid until close (SQLite's promise)
};

using Pass = coord::storage::sqlite::PassThrough<FaultyFile>;
sqlite3_file *real(sqlite3_file *f) { return Pass::real(f); }

int injected(sqlite3_file *f)
{
    auto *ff = reinterpret_cast<FaultyFile *>(f);
    const auto fault = static_cast<FaultyDisk::Fault>(g_fault.load());
    if (fault == FaultyDisk::Fault::None || !ff->name)
        return SQLITE_OK;
    {
        std::lock_guard lock(g_mutex);
        if (g_pathPart.empty() || !std::strstr(ff->name, g_pathPart.c_str()))
            return SQLITE_OK;
    }
    g_failedWrites++;
    return fault == FaultyDisk::Fault::Full ? SQLITE_FULL : SQLITE_IOERR_WRITE;
}

int xClose(sqlite3_file *f)
{
    int rc = real(f)->pMethods ? real(f)->pMethods->xClose(real(f)) : SQLITE_OK;
    f->pMethods = nullptr;
    return rc;
}
int xWrite(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
    g_writeCalls++;
    if (int rc = injected(f))
        return rc;
    return real(f)->pMethods->xWrite(real(f), p, n, off);
}
int xTruncate(sqlite3_file *f, sqlite3_int64 size)
{
    if (int rc = injected(f))
        return rc;
    return real(f)->pMethods->xTruncate(real(f), size);
}
int xFetch(sqlite3_file *, sqlite3_int64, int, void **p)
{
    *p = nullptr;  // no memory-mapped reads: every read goes through xRead
    return SQLITE_OK;
}
int xUnfetch(sqlite3_file *, sqlite3_int64, void *) { return SQLITE_OK; }

const sqlite3_io_methods g_methods = {3,
                                      xClose,
                                      Pass::xRead,
                                      xWrite,
                                      xTruncate,
                                      Pass::xSync,
                                      Pass::xFileSize,
                                      Pass::xLock,
                                      Pass::xUnlock,
                                      Pass::xCheckReservedLock,
                                      Pass::xFileControl,
                                      Pass::xSectorSize,
                                      Pass::xDeviceCharacteristics,
                                      Pass::xShmMap,
                                      Pass::xShmLock,
                                      Pass::xShmBarrier,
                                      Pass::xShmUnmap,
                                      xFetch,
                                      xUnfetch};

int xOpen(sqlite3_vfs *, sqlite3_filename name, sqlite3_file *f, int flags, int *outFlags)
{
    auto *ff = reinterpret_cast<FaultyFile *>(f);
    ff->real = reinterpret_cast<sqlite3_file *>(ff + 1);
    ff->name = name;
    int rc = g_real->xOpen(g_real, name, ff->real, flags, outFlags);
    f->pMethods = ff->real->pMethods ? &g_methods : nullptr;
    return rc;
}

}  // namespace

void FaultyDisk::install()
{
    static std::once_flag once;
    std::call_once(once, [] {
        g_real = sqlite3_vfs_find(nullptr);
        g_vfs = *g_real;
        g_vfs.iVersion = std::min(g_real->iVersion, 3);
        g_vfs.zName = "txdesk-faulty-disk";
        g_vfs.szOsFile = static_cast<int>(sizeof(FaultyFile)) + g_real->szOsFile;
        g_vfs.xOpen = xOpen;
        sqlite3_vfs_register(&g_vfs, 1);
    });
}

void FaultyDisk::set(Fault fault, const std::string &pathPart)
{
    {
        std::lock_guard lock(g_mutex);
        if (!pathPart.empty())
            g_pathPart = pathPart;
    }
    g_failedWrites = 0;
    g_fault = static_cast<int>(fault);
}

int FaultyDisk::failedWrites() { return g_failedWrites; }

int FaultyDisk::writeCalls() { return g_writeCalls; }

}  // namespace testsupport
