#include "responseclassifier.h"

namespace coord::invokers {

using domain::AttemptOutcome;

std::string excerptOf(std::string_view body)
{
    std::string out(body.substr(0, engine::kExcerptBytes));
    // Keep the excerpt printable: no control bytes except tab and newline.
    for (char &c : out)
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')
            c = '?';
    return out;
}

engine::CallResult classifyHttp(long status, std::string_view body, std::string_view transportError)
{
    engine::CallResult r;
    r.excerpt = excerptOf(body);
    if (!transportError.empty()) {
        // No complete answer: a status line read before a reset or timeout is not a status.
        r.outcome = AttemptOutcome::Transient;
        r.error = std::string(transportError);
        return r;
    }
    r.statusCode = static_cast<int>(status);
    if (status == 425 || body.find("ONGOING") != std::string_view::npos) {
        r.outcome = AttemptOutcome::Ongoing;
        r.error = "ONGOING";
    } else if (status == 409 || body.find("FAILURE") != std::string_view::npos) {
        r.outcome = AttemptOutcome::Failure;
        r.error = "FAILURE (HTTP " + std::to_string(status)
            + "): " + excerptOf(body.substr(0, 200));
    } else if (status != 200) {
        r.outcome = AttemptOutcome::Transient;
        r.error = "HTTP " + std::to_string(status);
    } else {
        r.outcome = AttemptOutcome::Success;
    }
    return r;
}

engine::CallResult classifyGrpc(int code, std::string_view message, std::string_view body)
{
    constexpr int kOk = 0, kFailedPrecondition = 9, kAborted = 10;
    engine::CallResult r;
    r.statusCode = code;
    r.excerpt = excerptOf(body);
    r.error = excerptOf(message.substr(0, 300));
    if (code == kOk) {
        r.outcome = AttemptOutcome::Success;
        r.error.clear();
    } else if (code == kAborted)
        r.outcome = message == "ONGOING" ? AttemptOutcome::Ongoing : AttemptOutcome::Failure;
    else if (code == kFailedPrecondition)
        r.outcome = AttemptOutcome::Ongoing;
    else
        r.outcome = AttemptOutcome::Transient;
    if (r.error.empty() && code != kOk)
        r.error = "gRPC status " + std::to_string(code);
    return r;
}

}  // namespace coord::invokers
