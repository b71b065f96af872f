#pragma once

#include "document/flowdocument.h"

#include "client/endpointprobe.h"

#include <QWidget>

#include <map>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QStackedWidget;

namespace txdesk::ui {

// Edits the selected branch (or, with none selected, the flow's settings). Every change is a
// document command, made when a field is finished; payload JSON is checked as you type.
class PropertyPanel : public QWidget
{
    Q_OBJECT

public:
    explicit PropertyPanel(document::FlowDocument &doc, QWidget *parent = nullptr);
    QLabel *checkResult() const { return m_checkResult; }
    void checkEndpoints();  // asks each endpoint of the branch whether it answers

    void showBranch(const QString &id);  // empty: the flow
    QString branchId() const { return m_id; }
    QLineEdit *endpointEdit(coord::domain::OpKind op) const;
    QPlainTextEdit *payloadEdit() const { return m_payload; }
    QLabel *payloadStatus() const { return m_payloadStatus; }
    QLineEdit *nameEdit() const { return m_name; }

private:
    QWidget *createBranchPage();
    QWidget *createFlowPage();
    void load();
    void commitBranch(const QString &what);
    void commitFlow();
    void checkPayload();

    document::FlowDocument &m_doc;
    QString m_id;
    bool m_loading = false;
    QStackedWidget *m_stack;
    // branch
    QLineEdit *m_branchId, *m_name;
    std::map<coord::domain::OpKind, QLineEdit *> m_endpoints;
    std::map<coord::domain::OpKind, QLayout *> m_endpointRows;
    QFormLayout *m_endpointForm;
    QPlainTextEdit *m_payload;
    QLabel *m_payloadStatus;
    QCheckBox *m_notRollbackable;
    QSpinBox *m_timeout, *m_retries;
    // flow
    QLineEdit *m_flowName;
    QComboBox *m_type;
    QSpinBox *m_timeoutToFail, *m_retryInterval, *m_requestTimeout, *m_maxRetries;
    QCheckBox *m_waitResult;
    QLabel *m_checkResult;
    client::EndpointProbe m_probe;
};

}  // namespace txdesk::ui
