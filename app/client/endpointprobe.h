#pragma once

#include <QNetworkAccessManager>
#include <QObject>
#include <QString>

#include <functional>

namespace txdesk::client {

// Whether a participant's endpoint answers (the designer's "Check endpoints"): sim:// is always
// there, an HTTP endpoint answers anything (even 404), a gRPC one accepts a connection. The
// verdict, a line for a person, arrives on the caller's thread.
class EndpointProbe : public QObject
{
    Q_OBJECT

public:
    explicit EndpointProbe(QObject *parent = nullptr);

    void probe(const QString &endpoint, int timeoutMs, std::function<void(QString verdict)> done);

private:
    void probeGrpc(const QString &hostPort, int timeoutMs, std::function<void(QString)> done);

    QNetworkAccessManager m_network;
};

}  // namespace txdesk::client
