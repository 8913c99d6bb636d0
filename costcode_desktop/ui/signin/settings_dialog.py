"""Connection settings: the Procore app CostCodeSync signs in with, filled once by IT.

Environment, client id and secret, how to sign in, the redirect address and port, and the ERP
connector whose cost code rules apply (told from the company's ERP list by default). Values IT
set through managed configuration (services/policy.py) are shown greyed, marked "set by your IT
department"; a policy that could not be read is said here too. Saving happens on the worker.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Slot
from PySide6.QtGui import QGuiApplication, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from costcode_desktop.costcodes.connectors import CHOICES as CONNECTOR_CHOICES
from costcode_desktop.costcodes.connectors import choice_label
from costcode_desktop.services.settings import PORT_MAX, PORT_MIN, REDIRECT_HOSTS, Connection
from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.accessibility import set_tab_order
from costcode_desktop.ui.kit.as_given import plain_label
from costcode_desktop.ui.signin.account import AccountFlow

ERROR_MARK = "⚠ "
LOCKED_WORDS = "set by your IT department"
ENVIRONMENTS = (
    ("production", "Production (login.procore.com)"),
    ("developer_sandbox", "Developer sandbox (login-sandbox.procore.com)"),
    ("monthly_sandbox", "Monthly sandbox (login-sandbox-monthly.procore.com)"),
    ("custom", "Custom addresses…"),
)
METHODS = (
    ("browser", "My browser (recommended)"),
    ("paste_code", "A code I paste (when the browser cannot hand the sign-in back)"),
    ("service_account", "The app's service account (no personal sign-in)"),
)
REDIRECT_HOST_LABELS = {
    "127.0.0.1": "127.0.0.1 (recommended)",
    "localhost": "localhost (the Developer Portal's default)",
}


class ConnectionSettingsDialog(QDialog):
    """Accepted once the settings are saved; stays open with the reason when they cannot be."""

    def __init__(self, account: AccountFlow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionSettingsDialog")
        self.setWindowTitle("Connection settings")
        self.setMinimumWidth(620)
        self.account = account
        self.policy = account.policy
        connection = account.settings.connection
        self._saving = False

        intro = plain_label(
            "The Procore app CostCodeSync signs in with. Your Procore administrator creates it "
            "in the Procore Developer Portal and installs it in your company; enter its "
            "details here once.",
            self,
        )
        self.policy_note = plain_label("", self, "policyNote")
        self.policy_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.environment = QComboBox(self)
        self.environment.setObjectName("environmentChoice")
        self.environment.setAccessibleName("Procore environment")
        for key, label in ENVIRONMENTS:
            self.environment.addItem(label, key)
        self.environment.setCurrentIndex(max(0, self.environment.findData(connection.environment)))
        self.login_url = self._line(
            "customLoginUrl", "Sign-in address", connection.custom_login_url
        )
        self.login_url.setPlaceholderText("https://login.example.com")
        self.api_url = self._line("customApiUrl", "API address", connection.custom_api_url)
        self.api_url.setPlaceholderText("https://api.example.com")
        self.client_id = self._line(
            "clientId", "Client id of the Procore app", connection.client_id
        )
        self.client_secret = self._line("clientSecret", "Client secret of the Procore app", "")
        self.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.client_secret.setPlaceholderText(self._secret_placeholder())
        self.method = QComboBox(self)
        self.method.setObjectName("signInMethod")
        self.method.setAccessibleName("How to sign in")
        for key, label in METHODS:
            self.method.addItem(label, key)
        self.method.setCurrentIndex(max(0, self.method.findData(connection.sign_in_method)))
        company = str(connection.company_id) if connection.company_id else ""
        self.company_id = self._line(
            "serviceCompanyId", "Procore company id of the service account", company
        )
        self.company_id.setPlaceholderText("the number after app.procore.com/ in Procore's address")
        self.company_id.setValidator(
            QRegularExpressionValidator(QRegularExpression("[0-9]{0,19}"), self.company_id)
        )
        self.port = QSpinBox(self)
        self.port.setObjectName("redirectPort")
        self.port.setRange(PORT_MIN, PORT_MAX)
        self.port.setValue(connection.redirect_port)
        self.port.setAccessibleName("Redirect port")
        # The host the redirect URI names: it must match the one registered in the Procore app.
        self.redirect_host = QComboBox(self)
        self.redirect_host.setObjectName("redirectHost")
        self.redirect_host.setAccessibleName("Redirect address")
        for host in REDIRECT_HOSTS:
            self.redirect_host.addItem(REDIRECT_HOST_LABELS.get(host, host), host)
        self.redirect_host.setCurrentIndex(
            max(0, self.redirect_host.findData(connection.redirect_host))
        )
        self.redirect_host.setToolTip("The address in the redirect URI registered in the app")
        self.erp_connector = QComboBox(self)
        self.erp_connector.setObjectName("erpConnectorChoice")
        self.erp_connector.setAccessibleName("ERP connector whose cost code rules apply")
        self.erp_connector.setToolTip(
            "Which codes can be sent depends on the ERP connector (Sage 300 CRE allows / - and ., "
            "Acumatica - only, ...). By default it is told from the name of the company's ERP "
            "list; choose one here when that name does not say it."
        )
        for key in CONNECTOR_CHOICES:
            self.erp_connector.addItem(choice_label(key), key)
        self.erp_connector.setCurrentIndex(
            max(0, self.erp_connector.findData(connection.erp_connector))
        )
        # One line, selectable, never wrapped mid-word: IT copies it into the Procore app.
        self.redirect_uri = QLineEdit(self)
        self.redirect_uri.setObjectName("redirectUri")
        self.redirect_uri.setAccessibleName("Redirect URI to register in the Procore app")
        self.redirect_uri.setReadOnly(True)
        self.copy_uri = QPushButton("Copy", self)  # every letter of "Copy" is another field's
        self.copy_uri.setObjectName("copyRedirectUri")
        self.copy_uri.setAccessibleName("Copy the redirect URI")
        self.copy_uri.clicked.connect(self._copy_uri)
        uri_row = QHBoxLayout()
        uri_row.setContentsMargins(0, 0, 0, 0)
        uri_row.addWidget(self.redirect_uri, 1)
        uri_row.addWidget(self.copy_uri)
        self.uri_box = QWidget(self)
        self.uri_box.setLayout(uri_row)

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.locks: dict[str, QLabel] = {}
        self.rows: dict[str, QWidget] = {}  # field name → its row's widget (field and lock)
        for label, widget, name in (
            ("&Procore:", self.environment, "environment"),
            ("Sign-in a&ddress:", self.login_url, "custom_login_url"),
            ("AP&I address:", self.api_url, "custom_api_url"),
            ("&Client id:", self.client_id, "client_id"),
            ("Client &secret:", self.client_secret, "client_secret"),
            ("Sign in &with:", self.method, "sign_in_method"),
            ("Compan&y id:", self.company_id, "company_id"),
            ("Redirect add&ress:", self.redirect_host, "redirect_host"),
            ("Redirect p&ort:", self.port, "redirect_port"),
            ("ERP co&nnector:", self.erp_connector, "erp_connector"),
        ):
            self.form.addRow(label, self._lockable(widget, name))
        self.form.addRow("Redirect &URI:", self.uri_box)
        self.uri_hint = plain_label("Register this exact address in the Procore app.", self)
        self.form.addRow("", self.uri_hint)
        uri_label = self.form.labelForField(self.uri_box)
        if isinstance(uri_label, QLabel):
            uri_label.setBuddy(self.redirect_uri)

        self.status = plain_label("", self, "settingsStatus")
        self.status.hide()
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveConnection")
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.save_button.clicked.connect(self._save)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addWidget(self.policy_note)
        layout.addLayout(self.form)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.tab_order: list[QWidget] = [
            self.environment,
            self.login_url,
            self.api_url,
            self.client_id,
            self.client_secret,
            self.method,
            self.company_id,
            self.redirect_host,
            self.port,
            self.erp_connector,
            self.redirect_uri,
            self.copy_uri,
            self.save_button,
            self.cancel_button,
        ]
        set_tab_order(self.tab_order)
        self._show_policy()
        self._restyle()
        theme.palette_notifier().changed.connect(self._restyle)

        self.environment.currentIndexChanged.connect(self._changed)
        self.method.currentIndexChanged.connect(self._changed)
        self.port.valueChanged.connect(self._changed)
        self.redirect_host.currentIndexChanged.connect(self._changed)
        account.connection_saved.connect(self._saved)
        account.connection_save_failed.connect(self._failed)
        self._update()

    # -- building ------------------------------------------------------------------------------

    def _line(self, name: str, accessible: str, text: str) -> QLineEdit:
        line = QLineEdit(text, self)
        line.setObjectName(name)
        line.setAccessibleName(accessible)
        return line

    def _lockable(self, widget: QWidget, name: str) -> QWidget:
        """The field, and beside it the words saying IT set it (shown when it did)."""
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(widget, 1)
        lock = plain_label(LOCKED_WORDS, box, f"locked_{name}")
        lock.setWordWrap(False)
        lock.setEnabled(False)  # greyed, like the field it explains
        lock.hide()
        row.addWidget(lock)
        self.locks[name] = lock
        self.rows[name] = box
        return box

    def _secret_placeholder(self) -> str:
        account = self.account
        if self.policy.client_secret:
            return LOCKED_WORDS
        if account.state.keyring_problem:
            return "kept in memory for this session only"
        if account.state.secret_saved:
            store = account.store
            where = store.location if store is not None else "the password store"
            return f"saved in {where}; type a new one to replace it"
        return "from the Procore app's credentials"

    def _show_policy(self) -> None:
        policy = self.policy
        fields: dict[str, QWidget] = {
            "environment": self.environment,
            "custom_login_url": self.login_url,
            "custom_api_url": self.api_url,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "sign_in_method": self.method,
            "company_id": self.company_id,
            "redirect_host": self.redirect_host,
            "redirect_port": self.port,
            "erp_connector": self.erp_connector,
        }
        for name, widget in fields.items():
            locked = policy.locked(name)
            widget.setEnabled(not locked)
            self.locks[name].setVisible(locked)
            if locked:
                widget.setToolTip(f"Set by your IT department ({policy.sources[name]})")
        lines = []
        if policy.values:
            lines.append(
                "Your IT department manages some of these settings; they cannot be changed here."
            )
        lines.extend(ERROR_MARK + problem for problem in policy.problems)
        self.policy_note.setText("\n".join(lines))
        self.policy_note.setVisible(bool(lines))

    # -- reading the form ----------------------------------------------------------------------

    def connection(self) -> Connection:
        method = str(self.method.currentData())
        company = int(self.company_id.text() or 0) if method == "service_account" else 0
        connection = Connection(
            environment=str(self.environment.currentData()),
            custom_login_url=self.login_url.text().strip(),
            custom_api_url=self.api_url.text().strip(),
            client_id=self.client_id.text().strip(),
            redirect_port=self.port.value(),
            redirect_host=str(self.redirect_host.currentData()),
            sign_in_method=method,
            company_id=company,
            erp_connector=str(self.erp_connector.currentData()),
        )
        return self.policy.apply(connection)

    @Slot()
    def _changed(self) -> None:
        """Another choice: an error about the previous one no longer applies."""
        self._show_status("")
        self._update()

    def _update(self) -> None:
        connection = self.connection()
        custom = connection.environment == "custom"
        for name in ("custom_login_url", "custom_api_url"):
            self.form.setRowVisible(self.rows[name], custom)
        method = connection.sign_in_method
        self.form.setRowVisible(self.rows["company_id"], method == "service_account")
        for name in ("redirect_host", "redirect_port"):
            self.form.setRowVisible(self.rows[name], method == "browser")
        needs_uri = method != "service_account"
        self.form.setRowVisible(self.uri_box, needs_uri)
        self.form.setRowVisible(self.uri_hint, needs_uri)
        if needs_uri:
            self.redirect_uri.setText(connection.redirect_uri())
            self.redirect_uri.setCursorPosition(0)
        self.adjustSize()

    # -- saving --------------------------------------------------------------------------------

    @Slot()
    def _save(self) -> None:
        connection = self.connection()
        problems = connection.validate()
        secret = self.client_secret.text().strip()
        has_secret = bool(secret or self.policy.client_secret or self.account.state.secret_saved)
        if not has_secret:
            problems.append("Enter the client secret of the Procore app.")
        if problems:
            self._show_status(" ".join(problems))
            return
        self._saving = True
        self.save_button.setEnabled(False)
        self._show_status("Saving…", error=False)
        self.account.save_connection(connection, secret)

    @Slot()
    def _saved(self) -> None:
        if self._saving:
            self._saving = False
            self.accept()

    @Slot(str)
    def _failed(self, message: str) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self._show_status(message)

    @Slot()
    def _copy_uri(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.redirect_uri.text())

    def _show_status(self, text: str, *, error: bool = True) -> None:
        if error and text:
            text = ERROR_MARK + text
        self.status.setText(text)
        self.status.setProperty("error", error)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setVisible(bool(text))

    @Slot()
    def _restyle(self) -> None:
        colour = theme.ERROR_TEXT.pick(theme.is_dark(QApplication.palette()))
        style = f'QLabel#settingsStatus[error="true"] {{ color: {colour}; }}'
        if style != self.styleSheet():
            self.setStyleSheet(style)

    def done(self, result: int) -> None:
        self.account.connection_saved.disconnect(self._saved)
        self.account.connection_save_failed.disconnect(self._failed)
        super().done(result)
