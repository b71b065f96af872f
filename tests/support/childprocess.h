#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <sys/types.h>

namespace testsupport {

// A real child process for tests: stdout and stderr captured, killable, waited for.
class ChildProcess
{
public:
    ChildProcess(std::string executable, std::vector<std::string> args);
    ~ChildProcess();  // SIGKILLs a child still running
    ChildProcess(const ChildProcess &) = delete;
    ChildProcess &operator=(const ChildProcess &) = delete;

    bool start();
    // Reads output until a line starts with `prefix`; returns the rest of that line, or "" on
    // timeout or exit.
    std::string waitForLine(const std::string &prefix,
                            std::chrono::milliseconds timeout = std::chrono::seconds(15));
    void signal(int sig);
    // Waits for exit; returns the exit code, 128+signal for a signalled child, -1 on timeout.
    int wait(std::chrono::milliseconds timeout = std::chrono::seconds(15));
    std::string output();  // all output read so far (and whatever is ready now)
    pid_t pid() const { return m_pid; }
    bool running() const { return m_pid > 0 && !m_exited; }

private:
    void pump(int timeoutMs);

    std::string m_executable;
    std::vector<std::string> m_args;
    pid_t m_pid = -1;
    int m_fd = -1;
    bool m_exited = false;
    int m_status = 0;
    std::string m_output;
    size_t m_scanned = 0;
};

// Runs a command to completion; returns {exit code, stdout, stderr}.
struct CommandResult {
    int exitCode = -1;
    std::string out;
    std::string err;
};
CommandResult runCommand(const std::string &executable, const std::vector<std::string> &args,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

std::string binDir();  // build/bin, from the TXDESK_BIN_DIR compile definition
std::string makeTempDir(const std::string &prefix);

}  // namespace testsupport
