#include "connectionprofile.h"

#include <QSettings>

namespace txdesk::session {

QString ProfileStore::bundledName() { return QStringLiteral("Bundled coordinator"); }

QList<ConnectionProfile> ProfileStore::load() const
{
    QList<ConnectionProfile> out{{bundledName(), {}, {}}};
    QSettings settings;
    const int n = settings.beginReadArray(QStringLiteral("profiles"));
    for (int i = 0; i < n; ++i) {
        settings.setArrayIndex(i);
        ConnectionProfile p{settings.value(QStringLiteral("name")).toString(),
                            settings.value(QStringLiteral("address")).toString(),
                            settings.value(QStringLiteral("caFile")).toString()};
        if (!p.name.isEmpty() && !p.address.isEmpty() && p.name != bundledName())
            out.append(p);
    }
    settings.endArray();
    return out;
}

void ProfileStore::save(const QList<ConnectionProfile> &profiles) const
{
    QSettings settings;
    settings.beginWriteArray(QStringLiteral("profiles"));
    int i = 0;
    for (const ConnectionProfile &p : profiles) {
        if (p.bundled())
            continue;
        settings.setArrayIndex(i++);
        settings.setValue(QStringLiteral("name"), p.name);
        settings.setValue(QStringLiteral("address"), p.address);
        settings.setValue(QStringLiteral("caFile"), p.caFile);
    }
    settings.endArray();
}

QString ProfileStore::current() const
{
    return QSettings().value(QStringLiteral("connection/current"), bundledName()).toString();
}

void ProfileStore::setCurrent(const QString &name) const
{
    QSettings().setValue(QStringLiteral("connection/current"), name);
}

ConnectionProfile ProfileStore::find(const QString &name) const
{
    for (const ConnectionProfile &p : load())
        if (p.name == name)
            return p;
    return load().front();
}

}  // namespace txdesk::session
