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

QIcon iconOf(coord::domain::TxStatus status, bool stuck)
{
    using coord::domain::TxStatus;
    static const QIcon ok = themeIcon(QStringLiteral("state-ok")),
                       error = themeIcon(QStringLiteral("state-error")),
                       warning = themeIcon(QStringLiteral("state-warning")),
                       sync = themeIcon(QStringLiteral("state-sync")),
                       pause = themeIcon(QStringLiteral("state-pause"));
    if (stuck && !coord::domain::isFinal(status))
        return warning;
    switch (status) {
    case TxStatus::Succeeded:
        return ok;
    case TxStatus::Failed:
        return error;
    case TxStatus::Prepared:
        return pause;  // a TCC waiting for its application to submit or abort
    case TxStatus::Submitted:
    case TxStatus::Aborting:
        return sync;
    }
    return {};
}

QIcon iconOf(coord::domain::OpStatus status, bool retrying)
{
    using coord::domain::OpStatus;
    static const QIcon ok = themeIcon(QStringLiteral("state-ok")),
                       error = themeIcon(QStringLiteral("state-error")),
                       sync = themeIcon(QStringLiteral("state-sync")),
                       warning = themeIcon(QStringLiteral("state-warning")),
                       info = themeIcon(QStringLiteral("state-information"));
    switch (status) {
    case OpStatus::Succeeded:
        return ok;
    case OpStatus::Failed:
        return error;
    case OpStatus::Running:
        return retrying ? warning : sync;
    case OpStatus::Skipped:
        return info;
    case OpStatus::Pending:
        return retrying ? warning : QIcon();
    }
    return {};
}

}  // namespace txdesk::models
