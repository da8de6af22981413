// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/AddHostDialog.h"

#include "core/pairing/JoinCode.h"
#include "core/pairing/PairingClient.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>

namespace TrainGuard::Gui {

namespace {
// A profile name from the code's host: "gpu-box.lab" → "gpu-box.lab", "10.0.0.5" → "10.0.0.5".
QString nameFromHost(const QString &host)
{
    QString name = host;
    name.remove(QLatin1Char('[')).remove(QLatin1Char(']'));
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("-"));
    return name.left(64);
}
} // namespace

AddHostDialog::AddHostDialog(Pairing::HostRegistry registry, Crypto::SharedSecret profilePassphrase, QWidget *parent)
    : QDialog(parent)
    , m_registry(std::move(registry))
    , m_passphrase(std::move(profilePassphrase))
    , m_client(new Pairing::PairingClient(m_registry, this))
{
    setWindowTitle(tr("Add training host"));
    auto *form = new QFormLayout(this);
    auto *intro = new QLabel(tr("On the training host, run <tt>trainguard-cli pairing code --certs DIR</tt> "
                                "and paste the line it prints."),
                             this);
    intro->setWordWrap(true);
    form->addRow(intro);
    m_codeEdit = new QLineEdit(this);
    m_codeEdit->setObjectName(QStringLiteral("codeEdit"));
    m_codeEdit->setPlaceholderText(QStringLiteral("tg1://HOST:PORT/<id>.<secret>#sha256:<hex>"));
    m_codeEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_codeEdit->setMinimumWidth(m_codeEdit->fontMetrics().horizontalAdvance(QLatin1Char('0')) * 72);
    form->addRow(tr("Join &code:"), m_codeEdit);
    m_pinLabel = new QLabel(this);
    m_pinLabel->setObjectName(QStringLiteral("pinLabel"));
    m_pinLabel->setWordWrap(true);
    m_pinLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(tr("Host CA:"), m_pinLabel);
    m_nameEdit = new QLineEdit(this);
    m_nameEdit->setObjectName(QStringLiteral("nameEdit"));
    m_nameEdit->setPlaceholderText(tr("a short name, e.g. gpu-box"));
    form->addRow(tr("&Name:"), m_nameEdit);
    m_shareCheck = new QCheckBox(tr("&Share this profile's passphrase with the host"), this);
    m_shareCheck->setObjectName(QStringLiteral("shareCheck"));
    m_shareCheck->setToolTip(tr("Sent once over the mutually authenticated connection and kept on the host (0600) "
                                "so that nothing has to be typed there. A compromised host then learns it "
                                "(docs/THREAT_MODEL.md)."));
    m_shareCheck->setEnabled(Crypto::hasSecret(m_passphrase));
    form->addRow(QString(), m_shareCheck);
    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("statusLabel"));
    m_statusLabel->setWordWrap(true);
    m_statusLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(m_statusLabel);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_pairButton = m_buttons->addButton(tr("&Pair"), QDialogButtonBox::ActionRole);
    m_pairButton->setObjectName(QStringLiteral("pairButton"));
    m_pairButton->setDefault(true);
    m_pairButton->setEnabled(false);
    form->addRow(m_buttons);

    connect(m_codeEdit, &QLineEdit::textChanged, this, &AddHostDialog::codeEdited);
    connect(m_nameEdit, &QLineEdit::textEdited, this, [this] {
        m_nameEdited = true;
        codeEdited();
    });
    connect(m_pairButton, &QPushButton::clicked, this, &AddHostDialog::startPairing);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &AddHostDialog::reject);
    connect(m_client, &Pairing::PairingClient::pinVerified, this,
            [this](const QString &pinText, const QStringList &hostNames) {
                m_pinLabel->setText(tr("✔ verified: %1\nNames: %2").arg(pinText, hostNames.join(QStringLiteral(", "))));
                m_statusLabel->setText(tr("Pin verified; enrolling this device…"));
            });
    connect(m_client, &Pairing::PairingClient::paired, this, [this](const Pairing::HostProfile &profile) {
        m_paired = profile;
        m_lastError = Pairing::PairingError::None;
        m_statusLabel->setText(tr("Paired with %1 (%2)").arg(profile.name, profile.url.toString()));
        emit hostPaired(profile);
        accept();
    });
    connect(m_client, &Pairing::PairingClient::failed, this, &AddHostDialog::showFailure);
}

AddHostDialog::~AddHostDialog() = default;

void AddHostDialog::setSuggestedName(const QString &name)
{
    m_nameEdit->setText(name);
    m_nameEdited = true;
}

QString AddHostDialog::statusText() const
{
    return m_statusLabel->text();
}

void AddHostDialog::codeEdited()
{
    if (m_client->isBusy())
        return;
    const QString text = m_codeEdit->text().trimmed();
    Pairing::JoinCodeError error = Pairing::JoinCodeError::None;
    const std::optional<Pairing::JoinCode> code
        = text.isEmpty() ? std::nullopt : Pairing::JoinCode::parse(text, &error);
    if (code) {
        m_pinLabel->setText(tr("%1 (checked against the host when you pair)").arg(code->pinText()));
        if (!m_nameEdited)
            m_nameEdit->setText(nameFromHost(code->host()));
        m_statusLabel->clear();
    } else {
        m_pinLabel->clear();
        m_statusLabel->setText(text.isEmpty() ? QString() : Pairing::joinCodeErrorText(error));
    }
    const QString name = m_nameEdit->text().trimmed();
    const bool nameOk = Pairing::HostRegistry::isValidName(name) && !m_registry.contains(name);
    if (code && !name.isEmpty() && !nameOk)
        m_statusLabel->setText(m_registry.contains(name) ? tr("A host named %1 is already paired.").arg(name)
                                                         : tr("A name is letters, digits, '.', '_' or '-'."));
    m_pairButton->setEnabled(code.has_value() && nameOk);
}

void AddHostDialog::startPairing()
{
    Pairing::JoinCodeError error = Pairing::JoinCodeError::None;
    const std::optional<Pairing::JoinCode> code = Pairing::JoinCode::parse(m_codeEdit->text(), &error);
    if (!code) {
        showFailure(Pairing::PairingError::BadCode, Pairing::joinCodeErrorText(error));
        return;
    }
    const auto share = m_shareCheck->isChecked() ? Pairing::SharePassphrase::Yes : Pairing::SharePassphrase::No;
    m_statusLabel->setText(tr("Connecting to %1…").arg(code->receiverUrl().toString()));
    for (QWidget *input : {static_cast<QWidget *>(m_codeEdit), static_cast<QWidget *>(m_nameEdit),
                           static_cast<QWidget *>(m_shareCheck), static_cast<QWidget *>(m_pairButton)})
        input->setEnabled(false);
    m_client->pair(*code, m_nameEdit->text().trimmed(), share,
                   share == Pairing::SharePassphrase::Yes ? m_passphrase : Crypto::SharedSecret());
}

void AddHostDialog::showFailure(Pairing::PairingError error, const QString &message)
{
    m_lastError = error;
    m_statusLabel->setText(message);
    m_codeEdit->setEnabled(true);
    m_nameEdit->setEnabled(true);
    m_shareCheck->setEnabled(Crypto::hasSecret(m_passphrase));
    m_pairButton->setEnabled(true);
}

void AddHostDialog::reject()
{
    if (m_client->isBusy())
        m_client->cancel(); // nothing is stored
    QDialog::reject();
}

} // namespace TrainGuard::Gui
