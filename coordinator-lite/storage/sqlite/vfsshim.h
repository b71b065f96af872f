#pragma once

#include <sqlite3.h>

namespace coord::storage::sqlite {

// The io methods of a VFS shim (a VFS over another one) that pass straight to the file
// underneath. `File` starts with its sqlite3_file and holds the underlying file as `real`; a
// shim puts these in its sqlite3_io_methods for what it does not change (walbuffervfs.cpp, the
// tests' faulty disk).
template <class File>
struct PassThrough {
    static sqlite3_file *real(sqlite3_file *f) { return reinterpret_cast<File *>(f)->real; }

    static int xRead(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
    {
        return real(f)->pMethods->xRead(real(f), p, n, off);
    }
    static int xWrite(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
    {
        return real(f)->pMethods->xWrite(real(f), p, n, off);
    }
    static int xTruncate(sqlite3_file *f, sqlite3_int64 size)
    {
        return real(f)->pMethods->xTruncate(real(f), size);
    }
    static int xSync(sqlite3_file *f, int flags)
    {
        return real(f)->pMethods->xSync(real(f), flags);
    }
    static int xFileSize(sqlite3_file *f, sqlite3_int64 *size)
    {
        return real(f)->pMethods->xFileSize(real(f), size);
    }
    static int xLock(sqlite3_file *f, int lock) { return real(f)->pMethods->xLock(real(f), lock); }
    static int xUnlock(sqlite3_file *f, int lock)
    {
        return real(f)->pMethods->xUnlock(real(f), lock);
    }
    static int xCheckReservedLock(sqlite3_file *f, int *out)
    {
        return real(f)->pMethods->xCheckReservedLock(real(f), out);
    }
    static int xFileControl(sqlite3_file *f, int op, void *arg)
    {
        return real(f)->pMethods->xFileControl(real(f), op, arg);
    }
    static int xSectorSize(sqlite3_file *f) { return real(f)->pMethods->xSectorSize(real(f)); }
    static int xDeviceCharacteristics(sqlite3_file *f)
    {
        return real(f)->pMethods->xDeviceCharacteristics(real(f));
    }
    static int xShmMap(sqlite3_file *f, int region, int size, int extend, void volatile **p)
    {
        return real(f)->pMethods->xShmMap(real(f), region, size, extend, p);
    }
    static int xShmLock(sqlite3_file *f, int offset, int n, int flags)
    {
        return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
    }
    static void xShmBarrier(sqlite3_file *f) { real(f)->pMethods->xShmBarrier(real(f)); }
    static int xShmUnmap(sqlite3_file *f, int deleteFlag)
    {
        return real(f)->pMethods->xShmUnmap(real(f), deleteFlag);
    }
};

}  // namespace coord::storage::sqlite
