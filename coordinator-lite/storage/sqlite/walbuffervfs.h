#pragma once

namespace coord::storage::sqlite {

// A VFS over the process's default one that gathers the writes to a WAL file in memory and
// hands them to the file in one write when SQLite syncs it (or reads, sizes, truncates or
// closes it). SQLite writes each WAL frame as two writes (its 24-byte header, then the page):
// a commit of ~25 pages was ~50 pwrite calls, now one.
//
// Only for a connection whose commits sync the WAL (synchronous = FULL): SQLite then syncs the
// WAL before it publishes the commit in the wal-index, so no reader, on any connection, can look
// for a frame that is still in the buffer. Nothing is acknowledged before that sync, so a crash
// loses only frames of a commit that never happened (SQLite ignores them on recovery, as it
// does after a crash in the middle of its own writes).
//
// Returns the VFS's name for sqlite3_open_v2 (registered on first use, not as the default).
const char *walBufferVfs();

}  // namespace coord::storage::sqlite
