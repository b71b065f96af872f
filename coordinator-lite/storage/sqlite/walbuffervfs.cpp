#include "walbuffervfs.h"

#include "vfsshim.h"

#include <sqlite3.h>

#include <algorithm>
#include <mutex>
#include <new>
#include <vector>

namespace coord::storage::sqlite {
namespace {

// A write transaction larger than this goes to the file in several flushes.
constexpr size_t kMaxBuffered = 1 << 20;
// The most one write call may carry: the unix VFS writes at most 128 KiB - 1 bytes a call (it
// masks the length with 0x1ffff, as no page is larger than 64 KiB).
constexpr size_t kMaxWrite = 1 << 16;

// Our file: the underlying VFS's file (allocated apart: the default VFS is looked up at each
// open, so a test's fault-injecting VFS installed later is still the one underneath) and, for
// a WAL file, the bytes written since the last flush, which are contiguous from `at`.
struct BufferedFile {
    sqlite3_file base;
    sqlite3_file *real = nullptr;
    bool wal = false;
    sqlite3_int64 at = 0;
    std::vector<char> pending;
};

using Pass = PassThrough<BufferedFile>;
BufferedFile *self(sqlite3_file *f) { return reinterpret_cast<BufferedFile *>(f); }

// Writes what is buffered. On failure the bytes are dropped: SQLite fails the commit they
// belonged to and writes those frames again, at the same offsets, in its next one.
int flush(sqlite3_file *f)
{
    BufferedFile *b = self(f);
    int rc = SQLITE_OK;
    for (size_t done = 0; done < b->pending.size() && rc == SQLITE_OK; done += kMaxWrite) {
        const size_t n = std::min(kMaxWrite, b->pending.size() - done);
        rc = b->real->pMethods->xWrite(b->real, b->pending.data() + done, static_cast<int>(n),
                                       b->at + static_cast<sqlite3_int64>(done));
    }
    b->pending.clear();
    return rc;
}

int xClose(sqlite3_file *f)
{
    BufferedFile *b = self(f);
    int rc = flush(f);
    if (b->real->pMethods) {
        int closed = b->real->pMethods->xClose(b->real);
        if (rc == SQLITE_OK)
            rc = closed;
    }
    sqlite3_free(b->real);
    b->~BufferedFile();
    f->pMethods = nullptr;
    return rc;
}
int xRead(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
    if (int rc = flush(f))
        return rc;
    return Pass::xRead(f, p, n, off);
}
int xWrite(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
    BufferedFile *b = self(f);
    if (!b->wal)
        return Pass::xWrite(f, p, n, off);
    const auto end = b->at + static_cast<sqlite3_int64>(b->pending.size());
    if (!b->pending.empty() && (off != end || b->pending.size() + n > kMaxBuffered))
        if (int rc = flush(f))
            return rc;
    if (b->pending.empty())
        b->at = off;
    const char *bytes = static_cast<const char *>(p);
    b->pending.insert(b->pending.end(), bytes, bytes + n);
    return SQLITE_OK;
}
int xTruncate(sqlite3_file *f, sqlite3_int64 size)
{
    if (int rc = flush(f))
        return rc;
    return Pass::xTruncate(f, size);
}
int xSync(sqlite3_file *f, int flags)
{
    if (int rc = flush(f))
        return rc;
    return Pass::xSync(f, flags);
}
int xFileSize(sqlite3_file *f, sqlite3_int64 *size)
{
    if (int rc = flush(f))
        return rc;
    return Pass::xFileSize(f, size);
}
int xFileControl(sqlite3_file *f, int op, void *arg)
{
    if (int rc = flush(f))
        return rc;
    return Pass::xFileControl(f, op, arg);
}
int xFetch(sqlite3_file *f, sqlite3_int64 off, int n, void **p)
{
    sqlite3_file *real = self(f)->real;
    if (real->pMethods->iVersion < 3) {
        *p = nullptr;
        return SQLITE_OK;
    }
    return real->pMethods->xFetch(real, off, n, p);
}
int xUnfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    sqlite3_file *real = self(f)->real;
    if (real->pMethods->iVersion < 3)
        return SQLITE_OK;
    return real->pMethods->xUnfetch(real, off, p);
}

const sqlite3_io_methods kMethods = {3,
                                     xClose,
                                     xRead,
                                     xWrite,
                                     xTruncate,
                                     xSync,
                                     xFileSize,
                                     Pass::xLock,
                                     Pass::xUnlock,
                                     Pass::xCheckReservedLock,
                                     xFileControl,
                                     Pass::xSectorSize,
                                     Pass::xDeviceCharacteristics,
                                     Pass::xShmMap,
                                     Pass::xShmLock,
                                     Pass::xShmBarrier,
                                     Pass::xShmUnmap,
                                     xFetch,
                                     xUnfetch};

sqlite3_vfs *underlying() { return sqlite3_vfs_find(nullptr); }

int xOpen(sqlite3_vfs *, sqlite3_filename name, sqlite3_file *f, int flags, int *outFlags)
{
    sqlite3_vfs *under = underlying();
    auto *b = new (f) BufferedFile;
    b->base.pMethods = nullptr;
    b->wal = (flags & SQLITE_OPEN_WAL) != 0;
    b->real = static_cast<sqlite3_file *>(sqlite3_malloc(under->szOsFile));
    if (!b->real) {
        b->~BufferedFile();
        return SQLITE_NOMEM;
    }
    std::fill_n(reinterpret_cast<char *>(b->real), under->szOsFile, 0);
    int rc = under->xOpen(under, name, b->real, flags, outFlags);
    if (!b->real->pMethods) {  // SQLite calls no method of a file that did not open
        sqlite3_free(b->real);
        b->~BufferedFile();
        return rc == SQLITE_OK ? SQLITE_CANTOPEN : rc;
    }
    f->pMethods = &kMethods;
    return rc;
}
int xDelete(sqlite3_vfs *, const char *name, int syncDir)
{
    return underlying()->xDelete(underlying(), name, syncDir);
}
int xAccess(sqlite3_vfs *, const char *name, int flags, int *out)
{
    return underlying()->xAccess(underlying(), name, flags, out);
}
int xFullPathname(sqlite3_vfs *, const char *name, int n, char *out)
{
    return underlying()->xFullPathname(underlying(), name, n, out);
}
int xRandomness(sqlite3_vfs *, int n, char *out)
{
    return underlying()->xRandomness(underlying(), n, out);
}
int xSleep(sqlite3_vfs *, int us) { return underlying()->xSleep(underlying(), us); }
int xCurrentTimeInt64(sqlite3_vfs *, sqlite3_int64 *out)
{
    return underlying()->xCurrentTimeInt64(underlying(), out);
}
int xGetLastError(sqlite3_vfs *, int n, char *out)
{
    return underlying()->xGetLastError(underlying(), n, out);
}

}  // namespace

const char *walBufferVfs()
{
    static constexpr const char *kName = "txdesk-wal-buffer";
    static std::once_flag once;
    std::call_once(once, [] {
        static sqlite3_vfs vfs{};
        sqlite3_vfs *under = underlying();
        vfs.iVersion = 2;
        vfs.szOsFile = static_cast<int>(sizeof(BufferedFile));
        vfs.mxPathname = under->mxPathname;
        vfs.zName = kName;
        vfs.xOpen = xOpen;
        vfs.xDelete = xDelete;
        vfs.xAccess = xAccess;
        vfs.xFullPathname = xFullPathname;
        vfs.xDlOpen = under->xDlOpen;  // extensions: the default VFS's, as they are
        vfs.xDlError = under->xDlError;
        vfs.xDlSym = under->xDlSym;
        vfs.xDlClose = under->xDlClose;
        vfs.xRandomness = xRandomness;
        vfs.xSleep = xSleep;
        vfs.xCurrentTime = under->xCurrentTime;
        vfs.xGetLastError = xGetLastError;
        vfs.xCurrentTimeInt64 = xCurrentTimeInt64;
        sqlite3_vfs_register(&vfs, 0);
    });
    return kName;
}

}  // namespace coord::storage::sqlite
