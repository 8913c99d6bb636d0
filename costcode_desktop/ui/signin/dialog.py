"""Sign in to Procore: which environment, the company's own app (client id and secret), how.

The administrator's part (environment, client id and secret, redirect port) and the user's
part (the sign-in itself) are one dialog, so a first run is a single step. Network work runs
on the controller's worker; the dialog only shows what is happening and what to do.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal, Slot
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from costcode_desktop.services.settings import (
    PORT_MAX,
    PORT_MIN,
    REDIRECT_HOSTS,
    Connection,
    Settings,
)
from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.accessibility import set_tab_order
from costcode_desktop.ui.main.controller import Controller

ERROR_MARK = "⚠ "  # errors are marked by a symbol, not by the colour alone

ENVIRONMENTS = (
    ("production", "Production (login.procore.com)"),
    ("developer_sandbox", "Developer sandbox (login-sandbox.procore.com)"),
    ("monthly_sandbox", "Monthly sandbox (login-sandbox-monthly.procore.com)"),
    ("custom", "Custom addresses…"),
    ("demo", "Built-in demo (no Procore account)"),
)
REDIRECT_HOST_LABELS = {
    "127.0.0.1": "127.0.0.1 (recommended)",
    "localhost": "localhost (the Developer Portal's default)",
}
METHODS = (
    ("browser", "Sign in with my &browser", "Opens Procore's sign-in page; recommended."),
    (
        "paste_code",
        "Sign in with a code I pas&te",
        "For computers where the browser cannot hand the sign-in back.",
    ),
    (
        "service_account",
        "Use the app's service &account",
        "No personal sign-in: the app acts as its Developer Managed Service Account.",
    ),
)


class SignInDialog(QDialog):
    """Emits nothing itself: the controller's session_opened closes it on success."""

    url_opened = Signal(str)  # the sign-in page it asked the system to open

    def __init__(
        self,
        controller: Controller,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        message: str = "",
        secret_location: str = "",
        keyring_problem: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.setWindowTitle("Sign in to Procore")
        self.setMinimumWidth(560)
        self.controller = controller
        self._busy = False
        self._last_url = ""
        connection = settings.connection

        intro = QLabel(
            "<b>Connect CostCodeSync to your Procore company.</b><br>Your Procore administrator "
            "creates an app for CostCodeSync in the Procore Developer Portal, installs it in the "
            "company, and gives you its client id and secret (see the README)."
        )
        intro.setWordWrap(True)

        self.environment = QComboBox(self)
        self.environment.setObjectName("environmentChoice")
        self.environment.setAccessibleName("Procore environment")
        for key, label in ENVIRONMENTS:
            self.environment.addItem(label, key)
        self.environment.setCurrentIndex(max(0, self.environment.findData(connection.environment)))
        self.login_url = QLineEdit(connection.custom_login_url, self)
        self.login_url.setObjectName("customLoginUrl")
        self.login_url.setPlaceholderText("https://login.example.com")
        self.login_url.setAccessibleName("Sign-in address")
        self.api_url = QLineEdit(connection.custom_api_url, self)
        self.api_url.setObjectName("customApiUrl")
        self.api_url.setPlaceholderText("https://api.example.com")
        self.api_url.setAccessibleName("API address")
        self.client_id = QLineEdit(connection.client_id, self)
        self.client_id.setObjectName("clientId")
        self.client_id.setAccessibleName("Client id of the Procore app")
        self.client_secret = QLineEdit(self)
        self.client_secret.setObjectName("clientSecret")
        self.client_secret.setAccessibleName("Client secret of the Procore app")
        self.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        if keyring_problem:
            self.client_secret.setPlaceholderText("kept in memory for this session only")
        elif secret_location:
            self.client_secret.setPlaceholderText("stored in " + secret_location)
        # A service account names its company before Procore lists any (see Connection).
        self.company_id = QLineEdit(_company_text(settings), self)
        self.company_id.setObjectName("serviceCompanyId")
        self.company_id.setAccessibleName("Procore company id of the service account")
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
        self.redirect_host.setToolTip(
            "Use the address registered in your Procore app's redirect URI."
        )

        self.methods = QButtonGroup(self)
        method_box = QVBoxLayout()
        for index, (key, label, tip) in enumerate(METHODS):
            button = QRadioButton(label, self)
            button.setObjectName(f"method_{key}")
            button.setToolTip(tip)
            button.setChecked(key == connection.sign_in_method)
            self.methods.addButton(button, index)
            method_box.addWidget(button)
        self.redirect_hint = QLabel(self)
        self.redirect_hint.setObjectName("redirectHint")
        self.redirect_hint.setWordWrap(True)
        self.redirect_hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.session_only = QCheckBox("Sign in for this session o&nly (nothing is saved)", self)
        self.session_only.setObjectName("sessionOnly")
        self.keyring_note = QLabel(keyring_problem, self)
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setVisible(bool(keyring_problem))
        if keyring_problem:
            self.session_only.setChecked(True)
            self.session_only.setEnabled(False)

        self.form = QFormLayout()
        self.form.addRow("&Procore:", self.environment)
        self.form.addRow("Sign-in a&ddress:", self.login_url)
        self.form.addRow("AP&I address:", self.api_url)
        self.form.addRow("&Client id:", self.client_id)
        self.form.addRow("Client &secret:", self.client_secret)
        self.form.addRow("Sign in:", method_box)
        self.form.addRow("Compan&y id:", self.company_id)
        self.form.addRow("Redirect add&ress:", self.redirect_host)
        self.form.addRow("Redirect p&ort:", self.port)
        self.form.addRow("", self.redirect_hint)

        # What happens during the sign-in, and the pasted code.
        self.status = QLabel(self)
        self.status.setObjectName("signInStatus")
        self.status.setWordWrap(True)
        self.code = QLineEdit(self)
        self.code.setObjectName("pastedCode")
        self.code.setPlaceholderText("Paste the code Procore shows after you sign in")
        self.code.setAccessibleName("Code from Procore")
        self.code_button = QPushButton("Contin&ue", self)
        self.code_button.setObjectName("continueWithCode")
        self.code_button.clicked.connect(self._continue_with_code)
        self.reopen = QPushButton("Open the sign-in page a&gain", self)
        self.reopen.setObjectName("reopenSignIn")
        self.reopen.clicked.connect(lambda: self._open(self._last_url))
        code_row = QHBoxLayout()
        code_row.addWidget(self.code, 1)
        code_row.addWidget(self.code_button)
        self.code_row = QWidget(self)
        self.code_row.setLayout(code_row)

        self.buttons = QDialogButtonBox(self)
        self.sign_in_button = self.buttons.addButton(
            "Sign In", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.sign_in_button.setObjectName("signInButton")
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button.clicked.connect(self._sign_in)
        self.cancel_button.clicked.connect(self._cancel)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self.form)
        layout.addWidget(self.keyring_note)
        layout.addWidget(self.session_only)
        layout.addWidget(self.status)
        layout.addWidget(self.code_row)
        layout.addWidget(self.reopen)
        layout.addWidget(self.buttons)
        self.tab_order: list[QWidget] = [
            self.environment,
            self.login_url,
            self.api_url,
            self.client_id,
            self.client_secret,
            *self.methods.buttons(),
            self.company_id,
            self.redirect_host,
            self.port,
            self.session_only,
            self.code,
            self.code_button,
            self.reopen,
            self.sign_in_button,
            self.cancel_button,
        ]
        set_tab_order(self.tab_order)
        self._restyle()
        theme.palette_notifier().changed.connect(self._restyle)
        initial = "" if message == keyring_problem else message
        self._show(initial, bool(initial))

        self.environment.currentIndexChanged.connect(self._update)
        self.methods.idToggled.connect(lambda *_: self._update())
        self.port.valueChanged.connect(self._update)
        self.redirect_host.currentIndexChanged.connect(self._update)
        controller.account.sign_in_progress.connect(self._progress)
        controller.account.sign_in_failed.connect(self._failed)
        controller.account.open_url.connect(self._open)
        controller.session_opened.connect(self._signed_in)
        self.code_row.hide()
        self.reopen.hide()
        self._update()

    # -- reading the form -----------------------------------------------------------------------

    def connection(self) -> Connection:
        method = METHODS[max(0, self.methods.checkedId())][0]
        return Connection(
            environment=str(self.environment.currentData()),
            custom_login_url=self.login_url.text().strip(),
            custom_api_url=self.api_url.text().strip(),
            client_id=self.client_id.text().strip(),
            redirect_port=self.port.value(),
            redirect_host=str(self.redirect_host.currentData()),
            sign_in_method=method,
            company_id=int(self.company_id.text() or 0) if method == "service_account" else 0,
        )

    @Slot()
    def _update(self) -> None:
        connection = self.connection()
        demo = connection.environment == "demo"
        custom = connection.environment == "custom"
        for widget in (self.login_url, self.api_url):
            self.form.setRowVisible(widget, custom)
        rows: tuple[QWidget, ...] = (
            self.client_id,
            self.client_secret,
            self.redirect_host,
            self.port,
            self.redirect_hint,
        )
        for row in rows:
            self.form.setRowVisible(row, not demo)
        service = connection.sign_in_method == "service_account"
        self.form.setRowVisible(self.company_id, service and not demo)
        for button in self.methods.buttons():
            button.setEnabled(not demo)
        self.port.setEnabled(connection.sign_in_method == "browser")
        self.redirect_host.setEnabled(connection.sign_in_method == "browser")
        if connection.sign_in_method == "service_account":
            hint = "No redirect URI is needed for the service account."
        else:
            hint = (
                "Register this redirect URI in your Procore app: "
                f"<b>{connection.redirect_uri()}</b>"
            )
        self.redirect_hint.setText(hint)
        self.session_only.setVisible(not demo)
        self.adjustSize()

    # -- signing in -----------------------------------------------------------------------------

    @Slot()
    def _sign_in(self) -> None:
        connection = self.connection()
        if connection.environment != "demo":
            problems = connection.validate()
            if not self.client_secret.text().strip():
                problems.append("Enter the client secret of the Procore app.")
            if problems:
                self._failed(" ".join(problems))
                return
        self._set_busy(True)
        secret = self.client_secret.text().strip()
        if connection.sign_in_method == "paste_code" and connection.environment != "demo":
            url = self.controller.account.pasted_code_url(connection, secret)
            self._open(url)
            self._show(
                "Sign in on the Procore page that opened, then paste the code it shows.", False
            )
            self.code_row.show()
            self.code.setFocus()
            self.adjustSize()
            return
        if connection.sign_in_method == "browser" and connection.environment != "demo":
            self._show("Opening Procore's sign-in page in your browser…", False)
        else:
            self._show("Signing in…", False)
        self.controller.account.sign_in(
            connection, secret, session_only=self.session_only.isChecked()
        )

    @Slot()
    def _continue_with_code(self) -> None:
        code = self.code.text().strip()
        if not code:
            self._failed("Paste the code Procore showed you.")
            return
        self.code_button.setEnabled(False)
        self.controller.account.finish_pasted_code(
            self.connection(),
            self.client_secret.text().strip(),
            code,
            session_only=self.session_only.isChecked(),
        )

    @Slot(str)
    def _open(self, url: str) -> None:
        if not url:
            return
        self._last_url = url
        self.reopen.setVisible(True)
        self.adjustSize()
        self.url_opened.emit(url)
        opener = getattr(self.parent(), "open_external_url", None)
        if callable(opener):
            opener(url)

    @Slot(str)
    def _progress(self, text: str) -> None:
        self._show(text, False)

    @Slot(str)
    def _failed(self, text: str) -> None:
        self._set_busy(False)
        self.code_button.setEnabled(True)
        self._show(text, True)

    @Slot(object)
    def _signed_in(self, _session: object) -> None:
        self._set_busy(False)
        self.accept()

    @Slot()
    def _cancel(self) -> None:
        if self._busy:
            self.controller.account.cancel_sign_in()
            self._set_busy(False)
            self._show("Sign-in cancelled.", False)
            self.code_row.hide()
            return
        self.reject()

    @Slot()
    def _restyle(self) -> None:
        """The error colour for the palette in use; the ⚠ in front says it without colour."""
        colour = theme.ERROR_TEXT.pick(theme.is_dark(QApplication.palette()))
        style = f'QLabel#signInStatus[error="true"] {{ color: {colour}; }}'
        if style != self.styleSheet():
            self.setStyleSheet(style)

    def _show(self, text: str, error: bool) -> None:
        if error and text and not text.startswith(ERROR_MARK):
            text = ERROR_MARK + text
        self.status.setText(text)
        self.status.setProperty("error", error)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self._fit_height()

    def _fit_height(self) -> None:
        """Grow (never shrink) so a long message, e.g. a certificate problem, is read in full."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = layout.totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.sign_in_button.setEnabled(not busy)
        fields: tuple[QWidget, ...] = (
            self.environment,
            self.login_url,
            self.api_url,
            self.client_id,
            self.client_secret,
            self.company_id,
            self.redirect_host,
            self.port,
        )
        for widget in fields:
            widget.setEnabled(not busy)
        self.cancel_button.setText("Stop" if busy else "Cancel")

    def done(self, result: int) -> None:
        self.controller.account.sign_in_progress.disconnect(self._progress)
        self.controller.account.sign_in_failed.disconnect(self._failed)
        self.controller.account.open_url.disconnect(self._open)
        self.controller.session_opened.disconnect(self._signed_in)
        if self._busy:
            self.controller.account.cancel_sign_in()
        super().done(result)


def _company_text(settings: Settings) -> str:
    """The service account's company: as last entered, else the one remembered."""
    connection = settings.connection
    company = connection.company_id
    if not company:
        try:
            company = settings.companies.get(connection.environment_key(), 0)
        except ValueError:  # an unusable custom address: nothing remembered for it
            company = 0
    return str(company) if company else ""
