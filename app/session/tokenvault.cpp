#include "tokenvault.h"

#include <qt6keychain/keychain.h>

namespace txdesk::session {

namespace {
const QString kService = QStringLiteral("TxDesk");
}

TokenVault::TokenVault(QObject *parent) : QObject(parent) {}

void TokenVault::store(const QString &profile, const QString &token,
                       std::function<void(QString)> done)
{
    m_memory.insert(profile, token);
    auto *job = new QKeychain::WritePasswordJob(kService, this);
    job->setKey(profile);
    job->setTextData(token);
    connect(job, &QKeychain::Job::finished, this, [done](QKeychain::Job *j) {
        done(j->error() == QKeychain::NoError
                 ? QString()
                 : tr("no keychain (%1): the token is kept for this session only")
                       .arg(j->errorString()));
    });
    job->start();
}

void TokenVault::load(const QString &profile, std::function<void(QString, QString)> done)
{
    auto *job = new QKeychain::ReadPasswordJob(kService, this);
    job->setKey(profile);
    connect(job, &QKeychain::Job::finished, this, [this, profile, done](QKeychain::Job *j) {
        auto *read = static_cast<QKeychain::ReadPasswordJob *>(j);
        if (read->error() == QKeychain::NoError)
            return done(read->textData(), QString());
        if (read->error() == QKeychain::EntryNotFound)
            return done(m_memory.value(profile), QString());
        done(m_memory.value(profile), read->errorString());
    });
    job->start();
}

void TokenVault::remove(const QString &profile)
{
    m_memory.remove(profile);
    auto *job = new QKeychain::DeletePasswordJob(kService, this);
    job->setKey(profile);
    job->start();
}

}  // namespace txdesk::session
