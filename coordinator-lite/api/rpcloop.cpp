#include "rpcloop.h"

#include "engine/threadname.h"

namespace coord::api {
namespace {

thread_local const RpcLoop *t_loop = nullptr;  // the loop whose thread this is

}  // namespace

RpcLoop::RpcLoop(grpc::ServerBuilder &builder, int workers)
    : m_queue(builder.AddCompletionQueue()), m_workerCount(workers)
{}

RpcLoop::~RpcLoop() { stop(); }

void RpcLoop::start()
{
    for (int i = 0; i < m_workerCount; ++i)
        m_workers.emplace_back([this] {
            engine::nameThisThread("grpc-worker");
            work();
        });
    for (const auto &arm : m_armers)
        arm();
    m_thread = std::thread([this] {
        engine::nameThisThread("grpc-loop");
        t_loop = this;
        void *tag = nullptr;
        bool ok = false;
        while (m_queue->Next(&tag, &ok))
            static_cast<Tag *>(tag)->proceed(ok);
    });
}

void RpcLoop::post(std::function<void()> work)
{
    {
        std::lock_guard lock(m_workMutex);
        m_work.push_back(std::move(work));
    }
    m_workReady.notify_one();
}

void RpcLoop::runOnLoop(std::function<void()> work)
{
    if (t_loop == this)
        return work();
    std::unique_lock lock(m_mutex);
    if (m_stopping) {
        lock.unlock();
        return work();
    }
    m_handedOver.push_back(std::move(work));
    if (m_handedOver.size() == 1)
        // A deadline in the past fires at once; "now" is rounded up to the next millisecond.
        m_handOverAlarm.Set(m_queue.get(), gpr_inf_past(GPR_CLOCK_MONOTONIC), &m_handOverTag);
}

void RpcLoop::runHandedOver()
{
    std::vector<std::function<void()>> batch;
    {
        std::lock_guard lock(m_mutex);
        batch.swap(m_handedOver);
    }
    for (auto &work : batch)
        work();
}

void RpcLoop::work()
{
    for (;;) {
        std::function<void()> next;
        {
            std::unique_lock lock(m_workMutex);
            m_workReady.wait(lock, [this] { return m_workersStopping || !m_work.empty(); });
            if (m_work.empty())
                return;
            next = std::move(m_work.front());
            m_work.pop_front();
        }
        next();
    }
}

void RpcLoop::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping)
            return;
        m_stopping = true;
    }
    m_queue->Shutdown();
    if (m_thread.joinable()) {
        m_thread.join();
    } else {  // never started: nothing polls the queue but us
        void *tag = nullptr;
        bool ok = false;
        while (m_queue->Next(&tag, &ok)) {
        }
    }
    {
        std::lock_guard lock(m_workMutex);
        m_workersStopping = true;
    }
    m_workReady.notify_all();
    for (auto &worker : m_workers)
        worker.join();
}

}  // namespace coord::api
