#include "connectionsdialog.h"

#include "domain/defaultaddress.h"

#include "session/consolesession.h"
#include "session/tokenvault.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPointer>
#include <QPushButton>
#include <QVBoxLayout>

namespace txdesk::ui {

using session::ConnectionProfile;

ConnectionsDialog::ConnectionsDialog(session::ConsoleSession &session, session::TokenVault &vault,
                                     QWidget *parent)
    : QDialog(parent),
      m_session(session),
      m_vault(vault),
      m_profiles(m_store.load()),
      m_list(new QListWidget(this)),
      m_name(new QLineEdit(this)),
      m_address(new QLineEdit(this)),
      m_caFile(new QLineEdit(this)),
      m_token(new QLineEdit(this)),
      m_note(new QLabel(this)),
      m_remove(new QPushButton(tr("Remove"), this))
{
    setWindowTitle(tr("Connections"));
    resize(640, 360);
    m_address->setPlaceholderText(
        tr("HOST:PORT, e.g. %1").arg(QLatin1String(coord::domain::kDefaultAddress)));
    m_caFile->setPlaceholderText(tr("CA certificate (PEM) for TLS; empty = plaintext"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("bearer token (kept in the system keychain)"));
    m_note->setWordWrap(true);
    for (const ConnectionProfile &p : m_profiles)
        m_list->addItem(p.name);

    auto *form = new QFormLayout;
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Address"), m_address);
    form->addRow(tr("TLS CA"), m_caFile);
    form->addRow(tr("Token"), m_token);
    auto *add = new QPushButton(tr("Add"), this);
    auto *side = new QVBoxLayout;
    side->addWidget(m_list, 1);
    auto *listButtons = new QHBoxLayout;
    listButtons->addWidget(add);
    listButtons->addWidget(m_remove);
    side->addLayout(listButtons);
    auto *right = new QVBoxLayout;
    right->addLayout(form);
    right->addWidget(m_note);
    right->addStretch();
    auto *top = new QHBoxLayout;
    top->addLayout(side, 1);
    top->addLayout(right, 2);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *connectButton = buttons->addButton(tr("Connect"), QDialogButtonBox::AcceptRole);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(buttons);

    connect(m_list, &QListWidget::currentRowChanged, this, &ConnectionsDialog::showProfile);
    connect(add, &QPushButton::clicked, this, &ConnectionsDialog::addProfile);
    connect(m_remove, &QPushButton::clicked, this, &ConnectionsDialog::removeProfile);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(connectButton, &QPushButton::clicked, this, &ConnectionsDialog::connectSelected);

    const QString current = m_session.config().profileName.isEmpty()
        ? session::ProfileStore::bundledName()
        : m_session.config().profileName;
    const auto found = m_list->findItems(current, Qt::MatchExactly);
    m_list->setCurrentRow(found.isEmpty() ? 0 : m_list->row(found.front()));
}

void ConnectionsDialog::showProfile(int row)
{
    if (row < 0 || row >= m_profiles.size())
        return;
    const ConnectionProfile &p = m_profiles[row];
    const bool bundled = p.bundled();
    for (QLineEdit *e : {m_name, m_address, m_caFile, m_token})
        e->setEnabled(!bundled);
    m_remove->setEnabled(!bundled);
    m_name->setText(p.name);
    m_address->setText(p.address);
    m_caFile->setText(p.caFile);
    m_token->clear();
    m_note->setText(bundled ? tr("coordinator-lite started by the console on 127.0.0.1, with its "
                                 "database in your data directory.")
                            : QString());
    if (!bundled) {
        QPointer<ConnectionsDialog> self = this;
        m_vault.load(p.name, [self, row](const QString &token, const QString &error) {
            if (!self || self->m_list->currentRow() != row)
                return;
            self->m_token->setText(token);
            if (!error.isEmpty())
                self->m_note->setText(error);
        });
    }
}

void ConnectionsDialog::saveCurrent()
{
    const int row = m_list->currentRow();
    if (row <= 0 || row >= m_profiles.size())
        return;
    ConnectionProfile &p = m_profiles[row];
    const QString oldName = p.name;
    p.name = m_name->text().trimmed().isEmpty() ? p.name : m_name->text().trimmed();
    p.address = m_address->text().trimmed();
    p.caFile = m_caFile->text().trimmed();
    m_list->item(row)->setText(p.name);
    if (oldName != p.name)
        m_vault.remove(oldName);
    m_store.save(m_profiles);
    QPointer<ConnectionsDialog> self = this;
    m_vault.store(p.name, m_token->text(), [self](const QString &error) {
        if (self && !error.isEmpty())
            self->m_note->setText(error);
    });
}

void ConnectionsDialog::addProfile()
{
    ConnectionProfile p{tr("coordinator %1").arg(m_profiles.size()),
                        QString::fromLatin1(coord::domain::kDefaultAddress),
                        {}};
    m_profiles.append(p);
    m_list->addItem(p.name);
    m_list->setCurrentRow(m_profiles.size() - 1);
    m_store.save(m_profiles);
}

void ConnectionsDialog::removeProfile()
{
    const int row = m_list->currentRow();
    if (row <= 0)
        return;
    m_vault.remove(m_profiles[row].name);
    m_profiles.removeAt(row);
    delete m_list->takeItem(row);
    m_store.save(m_profiles);
}

void ConnectionsDialog::connectSelected()
{
    const int row = m_list->currentRow();
    if (row < 0)
        return;
    if (row > 0 && m_address->text().trimmed().isEmpty()) {
        m_note->setText(tr("An address is needed (HOST:PORT)."));
        return;
    }
    saveCurrent();
    const ConnectionProfile &p = m_profiles[row];
    m_store.setCurrent(p.name);
    session::SessionConfig config = m_session.config();
    config.profileName = p.name;
    config.remoteAddress = p.address;
    config.caFile = p.caFile;
    config.token = p.bundled() ? QString() : m_token->text();
    m_session.reconfigure(config);
    accept();
}

}  // namespace txdesk::ui
