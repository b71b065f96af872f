#include "endpointprobe.h"

#include "flow/endpoint.h"

#include <grpcpp/grpcpp.h>

#include <QCoreApplication>
#include <QNetworkReply>
#include <QPointer>
#include <QTimer>

#include <thread>

namespace txdesk::client {

EndpointProbe::EndpointProbe(QObject *parent) : QObject(parent) {}

void EndpointProbe::probe(const QString &endpoint, int timeoutMs, std::function<void(QString)> done)
{
    const std::string text = endpoint.toStdString();
    if (const std::string problem = coord::flow::checkEndpoint(text); !problem.empty())
        return done(QString::fromStdString(problem));
    switch (coord::flow::schemeOf(text)) {
    case coord::flow::Scheme::Sim:
        return done(tr("simulated: always there"));
    case coord::flow::Scheme::Http: {
        auto *reply = m_network.get(QNetworkRequest(QUrl(endpoint)));
        reply->setParent(this);
        QTimer::singleShot(timeoutMs, reply, &QNetworkReply::abort);
        connect(reply, &QNetworkReply::finished, this, [reply, done] {
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            done(status > 0 ? tr("answers (HTTP %1)").arg(status)
                            : tr("no answer: %1").arg(reply->errorString()));
            reply->deleteLater();
        });
        return;
    }
    case coord::flow::Scheme::Grpc:
    case coord::flow::Scheme::Unsupported:
        return probeGrpc(QString::fromStdString(std::string(coord::flow::grpcHostPort(text))),
                         timeoutMs, std::move(done));
    }
}

void EndpointProbe::probeGrpc(const QString &hostPort, int timeoutMs,
                              std::function<void(QString)> done)
{
    // The channel lives on the worker thread only and dies there, never on a gRPC thread.
    std::thread([self = QPointer<EndpointProbe>(this), target = hostPort.toStdString(), timeoutMs,
                 done = std::move(done)] {
        bool ok = false;
        {
            auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
            ok = channel->WaitForConnected(std::chrono::system_clock::now()
                                           + std::chrono::milliseconds(timeoutMs));
        }
        const QString verdict = ok ? tr("gRPC accepts connections")
                                   : tr("gRPC: no answer within %1 ms").arg(timeoutMs);
        // The application object outlives the check; the probe is checked on its own thread.
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [self, done, verdict] {
                if (self)
                    done(verdict);
            },
            Qt::QueuedConnection);
    }).detach();
}

}  // namespace txdesk::client
