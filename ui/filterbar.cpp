#include "filterbar.h"

#include "models/transactionfilterproxymodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>

namespace txdesk::ui {

using coord::domain::TxStatus;

FilterBar::FilterBar(models::TransactionFilterProxyModel &proxy, QWidget *parent)
    : QWidget(parent),
      m_proxy(proxy),
      m_status(new QComboBox(this)),
      m_type(new QComboBox(this)),
      m_stuck(new QCheckBox(tr("Stuck only"), this)),
      m_text(new QLineEdit(this))
{
    m_status->addItem(tr("All statuses"), QVariantList{});
    m_status->addItem(
        tr("Unfinished"),
        QVariantList{int(TxStatus::Prepared), int(TxStatus::Submitted), int(TxStatus::Aborting)});
    for (TxStatus s : {TxStatus::Prepared, TxStatus::Submitted, TxStatus::Aborting,
                       TxStatus::Succeeded, TxStatus::Failed})
        m_status->addItem(QString::fromStdString(toString(s)), QVariantList{int(s)});
    m_type->addItem(tr("SAGA and TCC"), 0);
    m_type->addItem(QStringLiteral("SAGA"), int(coord::domain::TxType::Saga));
    m_type->addItem(QStringLiteral("TCC"), int(coord::domain::TxType::Tcc));
    m_text->setPlaceholderText(tr("Filter by gid, business key or flow (Ctrl+F)"));
    m_text->setClearButtonEnabled(true);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_status);
    layout->addWidget(m_type);
    layout->addWidget(m_stuck);
    layout->addWidget(m_text, 1);
    connect(m_status, &QComboBox::currentIndexChanged, this, &FilterBar::apply);
    connect(m_type, &QComboBox::currentIndexChanged, this, &FilterBar::apply);
    connect(m_stuck, &QCheckBox::toggled, this, &FilterBar::apply);
    connect(m_text, &QLineEdit::textChanged, this, &FilterBar::apply);
}

void FilterBar::apply()
{
    models::TransactionFilter filter = m_proxy.filter();
    filter.statuses.clear();
    for (const QVariant &v : m_status->currentData().toList())
        filter.statuses.insert(v.toInt());
    filter.type = m_type->currentData().toInt();
    filter.stuckOnly = m_stuck->isChecked();
    filter.text = m_text->text();
    m_proxy.setFilter(filter);  // one pass over the rows, not one per field
}

}  // namespace txdesk::ui
