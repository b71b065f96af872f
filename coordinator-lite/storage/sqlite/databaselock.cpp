#include "databaselock.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_split.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace coord::storage {

namespace filelock {

int open(const std::string &path)
{
    return ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
}

bool tryLock(int fd, bool exclusive)
{
    struct flock l = {};
    l.l_type = exclusive ? F_WRLCK : F_RDLCK;
    l.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file
    return ::fcntl(fd, F_OFD_SETLK, &l) == 0;
}

bool heldByOthers(int fd)
{
    struct flock l = {};
    l.l_type = F_WRLCK;  // conflicts with any lock
    l.l_whence = SEEK_SET;
    return ::fcntl(fd, F_OFD_GETLK, &l) == 0 && l.l_type != F_UNLCK;
}

}  // namespace filelock

namespace {

std::string readAll(int fd)
{
    std::string text;
    char buf[512];
    off_t at = 0;
    for (;;) {
        ssize_t n = ::pread(fd, buf, sizeof buf, at);
        if (n <= 0 || text.size() > 4096)
            break;
        text.append(buf, static_cast<size_t>(n));
        at += n;
    }
    return text;
}

// The sidecar holds "key value" lines: pid, listen, dtm-listen.
LockHolder parseHolder(const std::string &text)
{
    LockHolder h;
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
        std::pair<absl::string_view, absl::string_view> kv =
            absl::StrSplit(line, absl::MaxSplits(' ', 1));
        if (kv.first == "pid")
            (void)absl::SimpleAtoi(kv.second, &h.pid);
        else if (kv.first == "listen")
            h.address = std::string(kv.second);
        else if (kv.first == "dtm-listen")
            h.dtmAddress = std::string(kv.second);
    }
    return h;
}

}  // namespace

std::string LockHolder::describe() const
{
    std::string text = pid > 0 ? absl::StrCat("coordinator-lite pid ", pid) : "another process";
    if (!address.empty())
        absl::StrAppend(&text, " listening on ", address);
    return text;
}

absl::StatusOr<std::unique_ptr<DatabaseLock>> DatabaseLock::acquire(const std::string &dbPath)
{
    const std::string path = sidecarPath(dbPath);
    int fd = filelock::open(path);
    if (fd < 0)
        return absl::UnavailableError(
            absl::StrCat("cannot open lock file ", path, ": ", std::strerror(errno)));
    if (!filelock::tryLock(fd, true)) {
        const int err = errno;
        LockHolder h = parseHolder(readAll(fd));
        ::close(fd);
        if (err == EAGAIN || err == EACCES)
            return absl::FailedPreconditionError(
                absl::StrCat("database ", dbPath, " is in use by ", h.describe()));
        return absl::UnavailableError(absl::StrCat("cannot lock ", path, ": ", std::strerror(err)));
    }
    std::unique_ptr<DatabaseLock> lock(new DatabaseLock(fd));
    lock->write({::getpid(), {}, {}});
    return lock;
}

std::optional<LockHolder> DatabaseLock::holder(const std::string &dbPath)
{
    int fd = ::open(sidecarPath(dbPath).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    std::optional<LockHolder> h;
    if (filelock::heldByOthers(fd))
        h = parseHolder(readAll(fd));
    ::close(fd);
    return h;
}

DatabaseLock::~DatabaseLock()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

void DatabaseLock::announce(const std::string &address, const std::string &dtmAddress)
{
    write({::getpid(), address, dtmAddress});
}

void DatabaseLock::write(const LockHolder &holder)
{
    std::string text = absl::StrCat("pid ", holder.pid, "\n");
    if (!holder.address.empty())
        absl::StrAppend(&text, "listen ", holder.address, "\n");
    if (!holder.dtmAddress.empty())
        absl::StrAppend(&text, "dtm-listen ", holder.dtmAddress, "\n");
    // Best effort: the lock itself is the guard, this text only names its holder. Written
    // before the truncation so a reader never sees an empty file once a pid was there.
    if (::pwrite(m_fd, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()))
        (void)!::ftruncate(m_fd, static_cast<off_t>(text.size()));
}

}  // namespace coord::storage
