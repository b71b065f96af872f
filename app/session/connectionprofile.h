#pragma once

#include <QList>
#include <QString>

namespace txdesk::session {

// A coordinator the console can connect to. "bundled" is the built-in child coordinator.
struct ConnectionProfile {
    QString name;
    QString address;  // HOST:PORT; empty for the bundled coordinator
    QString caFile;   // PEM of the CA for TLS; empty = plaintext
    bool bundled() const { return address.isEmpty(); }
};

// Profiles kept in QSettings (never their tokens: those go to the TokenVault).
class ProfileStore
{
public:
    static QString bundledName();
    QList<ConnectionProfile> load() const;  // the bundled profile first, always present
    void save(const QList<ConnectionProfile> &profiles) const;
    QString current() const;
    void setCurrent(const QString &name) const;
    ConnectionProfile find(const QString &name) const;  // the bundled one if unknown
};

}  // namespace txdesk::session
