// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSettings>
#include <QString>
#include <QVariant>

#include <utility>

namespace TrainGuard::Gui {

// One QSettings key with its type, declared once (gui/SettingKeys.h), as
// qBittorrent's SettingValue<T>. The QSettings object is the caller's: one per load or save, so
// that a save writes the file once.
template<typename T> class SettingValue
{
public:
    explicit SettingValue(QString key)
        : m_key(std::move(key))
    {
    }

    const QString &key() const { return m_key; }

    // `fallback` when the key is not set.
    T value(const QSettings &settings, const T &fallback = T()) const
    {
        const QVariant stored = settings.value(m_key);
        return stored.isValid() ? stored.value<T>() : fallback;
    }
    void setValue(QSettings &settings, const T &value) const { settings.setValue(m_key, QVariant::fromValue(value)); }
    bool exists(const QSettings &settings) const { return settings.contains(m_key); }
    void remove(QSettings &settings) const { settings.remove(m_key); }

private:
    QString m_key;
};

} // namespace TrainGuard::Gui
