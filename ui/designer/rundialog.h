#pragma once

#include "document/flowdocument.h"

#include <QDialog>

#include <map>

class QComboBox;
class QLabel;
class QLineEdit;

namespace txdesk::client {
class CoordinatorClient;
}

namespace txdesk::ui {

// Runs the designed flow: a gid and business key, and for each branch with a sim:// endpoint a
// fault to inject for this run only (the document is not changed).
class RunDialog : public QDialog
{
    Q_OBJECT

public:
    RunDialog(client::CoordinatorClient &client, const document::FlowData &data,
              QWidget *parent = nullptr);

    // The flow as it will be submitted, faults applied.
    document::FlowData withFaults() const;
    void setFault(const QString &branchId, int index);  // index into the fault list
    QLabel *statusLabel() const { return m_status; }

signals:
    void submitted(const QString &gid);

private:
    void run();

    client::CoordinatorClient &m_client;
    document::FlowData m_data;
    QLineEdit *m_gid;
    QLineEdit *m_businessKey;
    std::map<QString, QComboBox *> m_faults;
    QLabel *m_status;
};

}  // namespace txdesk::ui
