#pragma once

#include <google/protobuf/arena.h>
#include <grpcpp/support/message_allocator.h>

#include <array>

namespace coord::api {

// Puts a unary call's request and reply on one protobuf arena whose first block lives inside
// the holder: a Submit's request (the flow text) and its reply (the whole transaction, built on
// the committer thread) cost one allocation and one free instead of one per string and
// repeated field, and the reply is not destroyed field by field on a gRPC thread.
template <class Request, class Reply>
class ArenaMessageAllocator final : public grpc::MessageAllocator<Request, Reply>
{
public:
    grpc::MessageHolder<Request, Reply> *AllocateMessages() override { return new Holder; }

private:
    class Holder final : public grpc::MessageHolder<Request, Reply>
    {
    public:
        Holder() : m_arena(options(m_firstBlock))
        {
            this->set_request(google::protobuf::Arena::CreateMessage<Request>(&m_arena));
            this->set_response(google::protobuf::Arena::CreateMessage<Reply>(&m_arena));
        }
        void Release() override { delete this; }

    private:
        // Enough for a two-branch saga's request and its finished transaction; a larger one
        // takes further blocks from the heap.
        static constexpr size_t kFirstBlock = 8192;
        static google::protobuf::ArenaOptions options(std::array<char, kFirstBlock> &block)
        {
            google::protobuf::ArenaOptions o;
            o.initial_block = block.data();
            o.initial_block_size = block.size();
            return o;
        }
        alignas(16) std::array<char, kFirstBlock> m_firstBlock;  // before the arena that uses it
        google::protobuf::Arena m_arena;
    };
};

}  // namespace coord::api
