#include "childprocess.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace testsupport {

namespace {

using Clock = std::chrono::steady_clock;

pid_t spawn(const std::string &exe, const std::vector<std::string> &args, int outFd, int errFd)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    dup2(outFd, STDOUT_FILENO);
    dup2(errFd, STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, STDIN_FILENO);
    std::vector<char *> argv;
    argv.push_back(const_cast<char *>(exe.c_str()));
    for (const auto &a : args)
        argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    // Unblock signals the test runner may have blocked.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(exe.c_str(), argv.data());
    _exit(127);
}

// Waits up to timeoutMs for the child to exit, without sleeping: a pidfd becomes readable on exit.
void waitForExitEvent(pid_t pid, int timeoutMs)
{
    int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (fd < 0)
        return;
    pollfd p{fd, POLLIN, 0};
    poll(&p, 1, timeoutMs);
    close(fd);
}

int decode(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace

ChildProcess::ChildProcess(std::string executable, std::vector<std::string> args)
    : m_executable(std::move(executable)), m_args(std::move(args))
{}

ChildProcess::~ChildProcess()
{
    if (running()) {
        ::kill(m_pid, SIGKILL);
        wait(std::chrono::seconds(10));
    }
    if (m_fd >= 0)
        close(m_fd);
}

bool ChildProcess::start()
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return false;
    m_pid = spawn(m_executable, m_args, fds[1], fds[1]);
    close(fds[1]);
    m_fd = fds[0];
    fcntl(m_fd, F_SETFL, O_NONBLOCK);
    return m_pid > 0;
}

void ChildProcess::pump(int timeoutMs)
{
    if (m_fd < 0)
        return;
    pollfd p{m_fd, POLLIN, 0};
    if (poll(&p, 1, timeoutMs) <= 0)
        return;
    char buf[4096];
    for (;;) {
        ssize_t n = read(m_fd, buf, sizeof buf);
        if (n > 0) {
            m_output.append(buf, n);
            continue;
        }
        if (n == 0) {
            close(m_fd);
            m_fd = -1;
        }
        return;
    }
}

std::string ChildProcess::waitForLine(const std::string &prefix, std::chrono::milliseconds timeout)
{
    auto deadline = Clock::now() + timeout;
    for (;;) {
        size_t pos = m_scanned;
        size_t nl;
        while ((nl = m_output.find('\n', pos)) != std::string::npos) {
            std::string line = m_output.substr(pos, nl - pos);
            pos = nl + 1;
            m_scanned = pos;
            if (line.rfind(prefix, 0) == 0)
                return line.substr(prefix.size());
        }
        if (Clock::now() >= deadline || m_fd < 0)
            return {};
        pump(50);
    }
}

void ChildProcess::signal(int sig)
{
    if (running())
        ::kill(m_pid, sig);
}

int ChildProcess::wait(std::chrono::milliseconds timeout)
{
    if (m_exited)
        return decode(m_status);
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        pump(0);
        pid_t r = waitpid(m_pid, &m_status, WNOHANG);
        if (r == m_pid) {
            m_exited = true;
            pump(0);
            return decode(m_status);
        }
        if (m_fd >= 0)
            pump(20);
        else
            waitForExitEvent(m_pid, 20);
    }
    return -1;
}

std::string ChildProcess::output()
{
    pump(0);
    return m_output;
}

CommandResult runCommand(const std::string &executable, const std::vector<std::string> &args,
                         std::chrono::milliseconds timeout)
{
    char outPath[] = "/tmp/txdesk-out-XXXXXX";
    char errPath[] = "/tmp/txdesk-err-XXXXXX";
    int outFd = mkstemp(outPath);
    int errFd = mkstemp(errPath);
    CommandResult result;
    pid_t pid = spawn(executable, args, outFd, errFd);
    auto deadline = Clock::now() + timeout;
    int status = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            result.exitCode = decode(status);
            break;
        }
        if (Clock::now() >= deadline) {
            ::kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            result.exitCode = -1;
            break;
        }
        waitForExitEvent(pid, 50);
    }
    auto slurp = [](int fd) {
        std::string s;
        lseek(fd, 0, SEEK_SET);
        char buf[4096];
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0)
            s.append(buf, n);
        close(fd);
        return s;
    };
    result.out = slurp(outFd);
    result.err = slurp(errFd);
    unlink(outPath);
    unlink(errPath);
    return result;
}

std::string binDir() { return TXDESK_BIN_DIR; }

std::string makeTempDir(const std::string &prefix)
{
    std::string pattern = "/tmp/" + prefix + "-XXXXXX";
    char *dir = mkdtemp(pattern.data());
    return dir ? std::string(dir) : std::string();
}

}  // namespace testsupport
