#pragma once

#include "session/connectionprofile.h"

#include <QDialog>

class QLineEdit;
class QListWidget;
class QLabel;
class QPushButton;

namespace txdesk::session {
class ConsoleSession;
class TokenVault;
}  // namespace txdesk::session

namespace txdesk::ui {

// Connection profiles: the bundled coordinator plus remote ones (address, TLS CA, token kept in
// the keychain). Connect switches the running console over.
class ConnectionsDialog : public QDialog
{
    Q_OBJECT

public:
    ConnectionsDialog(session::ConsoleSession &session, session::TokenVault &vault,
                      QWidget *parent = nullptr);

private:
    void showProfile(int row);
    void saveCurrent();
    void connectSelected();
    void addProfile();
    void removeProfile();

    session::ConsoleSession &m_session;
    session::TokenVault &m_vault;
    session::ProfileStore m_store;
    QList<session::ConnectionProfile> m_profiles;
    QListWidget *m_list;
    QLineEdit *m_name;
    QLineEdit *m_address;
    QLineEdit *m_caFile;
    QLineEdit *m_token;
    QLabel *m_note;
    QPushButton *m_remove;
};

}  // namespace txdesk::ui
