#include "themeicons.h"

#include <QDirIterator>
#include <QFileInfo>
#include <QHash>

namespace txdesk::models {

namespace {

// Name -> resource path of every bundled icon, read once from :/icons/breeze/CONTEXT/SIZE/.
const QHash<QString, QString> &bundledIcons()
{
    static const QHash<QString, QString> icons = [] {
        QHash<QString, QString> out;
        QDirIterator it(QStringLiteral(":/icons/breeze"), {QStringLiteral("*.svg")}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            out.insert(QFileInfo(path).completeBaseName(), path);
        }
        return out;
    }();
    return icons;
}

}  // namespace

QIcon themeIcon(const QString &name)
{
    const QString path = bundledIcons().value(name);
    if (path.isEmpty()) {
        qWarning("icon %s is not bundled: add it to resources/icons/theme-icons.txt",
                 qPrintable(name));
        return {};
    }
    return QIcon(path);
}

QIcon appIcon() { return QIcon(QStringLiteral(":/icons/dev.txdesk.TxDesk.svg")); }

namespace {

struct StatusIcons {
    QIcon succeeded = themeIcon(QStringLiteral("emblem-success"));
    QIcon failed = themeIcon(QStringLiteral("emblem-error"));
    QIcon inFlight = themeIcon(QStringLiteral("emblem-information"));
    QIcon undoingOrRetrying = themeIcon(QStringLiteral("emblem-important"));
    QIcon stuck = themeIcon(QStringLiteral("emblem-warning"));
    QIcon waiting = themeIcon(QStringLiteral("emblem-pause"));
};

const StatusIcons &statusIcons()
{
    static const StatusIcons icons;
    return icons;
}

}  // namespace

QIcon iconOf(coord::domain::TxStatus status, bool stuck)
{
    using coord::domain::TxStatus;
    const StatusIcons &icons = statusIcons();
    if (stuck && !coord::domain::isFinal(status))
        return icons.stuck;
    switch (status) {
    case TxStatus::Succeeded:
        return icons.succeeded;
    case TxStatus::Failed:
        return icons.failed;
    case TxStatus::Prepared:
        return icons.waiting;  // a TCC waiting for its application to submit or abort
    case TxStatus::Submitted:
        return icons.inFlight;
    case TxStatus::Aborting:
        return icons.undoingOrRetrying;  // rolling back
    }
    return {};
}

QIcon iconOf(coord::domain::OpStatus status, bool retrying)
{
    using coord::domain::OpStatus;
    const StatusIcons &icons = statusIcons();
    if (retrying)
        return icons.undoingOrRetrying;
    switch (status) {
    case OpStatus::Succeeded:
        return icons.succeeded;
    case OpStatus::Failed:
        return icons.failed;
    case OpStatus::Running:
        return icons.inFlight;
    case OpStatus::Skipped:
    case OpStatus::Pending:
        break;
    }
    return {};
}

}  // namespace txdesk::models
