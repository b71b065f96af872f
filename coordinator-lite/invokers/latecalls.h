#pragma once

#include <deque>
#include <mutex>

namespace coord::invokers::http {

// A transport shutting down: the calls still queued in `incoming`, and those their answers send,
// are handed to `answer` outside the lock (an answer may send again) until none come; then
// `closed` is set, and send() answers later calls itself.
template <class Call, class Answer>
void answerLateCalls(std::mutex &mutex, std::deque<Call *> &incoming, bool &closed, Answer answer)
{
    for (;;) {
        std::deque<Call *> late;
        {
            std::lock_guard lock(mutex);
            if (incoming.empty()) {
                closed = true;
                return;
            }
            late.swap(incoming);
        }
        for (Call *call : late)
            answer(call);
    }
}

}  // namespace coord::invokers::http
