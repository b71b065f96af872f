#pragma once

#include <QHash>
#include <QObject>

#include <functional>

namespace txdesk::session {

// Bearer tokens in the system keychain (Secret Service / KWallet through QtKeychain), never in
// the settings file. Without a keychain a token lives in memory for this run only.
class TokenVault : public QObject
{
    Q_OBJECT

public:
    explicit TokenVault(QObject *parent = nullptr);

    // done(error): empty on success.
    void store(const QString &profile, const QString &token, std::function<void(QString)> done);
    // done(token, error): an empty token with no error means "none stored".
    void load(const QString &profile, std::function<void(QString, QString)> done);
    void remove(const QString &profile);

private:
    QHash<QString, QString> m_memory;  // fallback when no keychain answers
};

}  // namespace txdesk::session
