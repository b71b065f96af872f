#pragma once

#include "client/connection.h"

#include "txdesk/v1/coordinator.pb.h"

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

// txctl's command line: the parsed options, argument helpers and the session with the
// coordinator every command gets.
namespace txctl {

namespace pb = ::txdesk::v1;

std::string usage();

struct Cli {
    std::string addr;
    std::string token;
    std::string tlsCa;
    bool json = false;
    std::string command;
    std::vector<std::string> args;  // command arguments, flags included
};

// A mistake in the command line: printed with the usage, exit 2.
class UsageError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

// Pulls `--name VALUE` (or `--name=VALUE`) out of args; nullopt when absent.
std::optional<std::string> takeOption(std::vector<std::string> &args, const std::string &name);
bool takeFlag(std::vector<std::string> &args, const std::string &name);
// `--name N` as a whole number in [min, max]; a usage error saying `rule` otherwise.
std::optional<long long> takeNumber(std::vector<std::string> &args, const std::string &name,
                                    long long min, long long max, const std::string &rule);
void requireNoMore(const std::vector<std::string> &args);
std::string readFile(const std::string &path, const std::string &what);
// Every --status S given, in order, any case (`--status failed`).
std::vector<pb::TxStatus> takeStatuses(std::vector<std::string> &args);
std::string requireReason(std::vector<std::string> &args);

class Session
{
public:
    explicit Session(const Cli &cli);

    coord::client::Connection &connection() { return m_connection; }
    pb::Admin::Stub &admin() { return m_connection.admin(); }
    pb::Coordinator::Stub &stub() { return m_connection.coordinator(); }
    // A call context with the token and, unless zero, a deadline.
    std::unique_ptr<grpc::ClientContext> context(std::chrono::seconds timeout) const
    {
        return m_connection.context(timeout);
    }
    Cli &cli() { return m_cli; }

private:
    Cli m_cli;
    coord::client::Connection m_connection;
};

// Prints a refused call (with a hint when nothing answers) and returns exit code 1.
int fail(const Cli &cli, const grpc::Status &status);

}  // namespace txctl
