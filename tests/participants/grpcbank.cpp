#include "grpcbank.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>

namespace testsupport {

namespace {

std::string metadata(grpc::GenericCallbackServerContext *ctx, const std::string &key)
{
    auto it = ctx->client_metadata().find(key);
    return it == ctx->client_metadata().end() ? std::string()
                                              : std::string(it->second.data(), it->second.size());
}

class UnaryBankReactor : public grpc::ServerGenericBidiReactor
{
public:
    UnaryBankReactor(grpc::GenericCallbackServerContext *ctx, BankLedger &ledger,
                     const GrpcBank::Observer &observer)
        : m_ctx(ctx), m_ledger(ledger), m_observer(observer)
    {
        StartRead(&m_request);
    }

    void OnReadDone(bool ok) override
    {
        if (!ok) {
            Finish({grpc::StatusCode::INVALID_ARGUMENT, "no request"});
            return;
        }
        std::string body;
        std::vector<grpc::Slice> slices;
        if (m_request.Dump(&slices).ok())
            for (const auto &s : slices)
                body.append(reinterpret_cast<const char *>(s.begin()), s.size());
        if (m_observer) {
            std::multimap<std::string, std::string> md;
            for (const auto &[k, v] : m_ctx->client_metadata())
                md.emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
            m_observer(m_ctx->method(), md, body);
        }
        std::string method = m_ctx->method().substr(m_ctx->method().rfind('/') + 1);
        coord::barrier::BarrierKey key{metadata(m_ctx, "dtm-trans_type"),
                                       metadata(m_ctx, "dtm-gid"), metadata(m_ctx, "dtm-branch_id"),
                                       metadata(m_ctx, "dtm-op")};
        BankReply reply = m_ledger.handle(method, key, body);
        switch (reply.kind) {
        case BankReply::Kind::Success: {
            grpc::Slice slice(reply.body);
            m_response = grpc::ByteBuffer(&slice, 1);
            StartWriteAndFinish(&m_response, grpc::WriteOptions(), grpc::Status::OK);
            return;
        }
        case BankReply::Kind::Failure:
        case BankReply::Kind::OldStyleFailure:
            Finish({grpc::StatusCode::ABORTED, "FAILURE " + reply.body});
            return;
        case BankReply::Kind::Ongoing:
            Finish({grpc::StatusCode::FAILED_PRECONDITION, "ONGOING"});
            return;
        default:
            Finish({grpc::StatusCode::UNAVAILABLE, "scripted error"});
            return;
        }
    }

    void OnDone() override { delete this; }

private:
    grpc::GenericCallbackServerContext *m_ctx;
    BankLedger &m_ledger;
    const GrpcBank::Observer &m_observer;
    grpc::ByteBuffer m_request;
    grpc::ByteBuffer m_response;
};

class BankService : public grpc::CallbackGenericService
{
public:
    BankService(BankLedger &ledger, const GrpcBank::Observer &observer)
        : m_ledger(ledger), m_observer(observer)
    {}
    grpc::ServerGenericBidiReactor *CreateReactor(grpc::GenericCallbackServerContext *ctx) override
    {
        return new UnaryBankReactor(ctx, m_ledger, m_observer);
    }

private:
    BankLedger &m_ledger;
    const GrpcBank::Observer &m_observer;
};

}  // namespace

GrpcBank::GrpcBank(BankLedger &ledger) : m_ledger(ledger) {}

GrpcBank::~GrpcBank() { stop(); }

bool GrpcBank::start()
{
    m_service = std::make_unique<BankService>(m_ledger, m_observer);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &m_port);
    builder.RegisterCallbackGenericService(m_service.get());
    m_server = builder.BuildAndStart();
    return m_server && m_port > 0;
}

void GrpcBank::stop()
{
    if (m_server) {
        m_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
        m_server->Wait();
        m_server.reset();
    }
}

std::string GrpcBank::endpoint(const std::string &method) const
{
    return "grpc://127.0.0.1:" + std::to_string(m_port) + "/busi.Busi/" + method;
}

}  // namespace testsupport
