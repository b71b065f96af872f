#pragma once

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLineEdit;

namespace txdesk::models {
class TransactionFilterProxyModel;
}

namespace txdesk::ui {

// Status, type, stuck and free-text filters over the transaction table.
class FilterBar : public QWidget
{
    Q_OBJECT

public:
    FilterBar(models::TransactionFilterProxyModel &proxy, QWidget *parent = nullptr);
    QLineEdit *textEdit() const { return m_text; }
    QComboBox *statusCombo() const { return m_status; }

private:
    void apply();

    models::TransactionFilterProxyModel &m_proxy;
    QComboBox *m_status;
    QComboBox *m_type;
    QCheckBox *m_stuck;
    QLineEdit *m_text;
};

}  // namespace txdesk::ui
