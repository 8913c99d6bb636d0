"""Sign in to Procore: the clerk's part only.

Where and with which app to sign in is Connection settings' (IT's) business; this dialog says
which it is, offers the sign-in itself, and shows what is happening. When IT provisioned
everything it is one button: *Sign in with my browser*. Network work runs on the controller's
worker; the dialog only shows what is happening and what to do.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.accessibility import set_tab_order
from costcode_desktop.ui.kit.as_given import plain_label
from costcode_desktop.ui.kit.elided import ElidedLabel
from costcode_desktop.ui.main.controller import Controller
from costcode_desktop.ui.signin.settings_dialog import ENVIRONMENTS
from costcode_desktop.ui.signin.wording import points_to_settings

ERROR_MARK = "⚠ "  # errors are marked by a symbol, not by the colour alone
SIGN_IN_WORDS = {
    "browser": "Sign in with my &browser",
    "paste_code": "&Get a sign-in code",
    "service_account": "Sign in with the service &account",
}
HOW = {
    "browser": "CostCodeSync opens Procore's sign-in page in your browser. Sign in there with "
    "your own Procore account, then come back here.",
    "paste_code": "CostCodeSync opens Procore's sign-in page. Sign in there, then paste the "
    "code Procore shows.",
    "service_account": "CostCodeSync signs in as the Procore app's service account; no "
    "personal sign-in is needed.",
}
NOT_SET_UP = (
    "CostCodeSync is not set up for your Procore company yet. Your IT department enters the "
    "Procore app's details in Connection settings (File menu)."
)


class SignInDialog(QDialog):
    """Emits nothing itself: the controller's session_opened closes it on success."""

    url_opened = Signal(str)  # the sign-in page it asked the system to open
    settings_requested = Signal()  # the user wants Connection settings

    def __init__(
        self, controller: Controller, parent: QWidget | None = None, *, message: str = ""
    ) -> None:
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.setWindowTitle("Sign in to Procore")
        self.setMinimumWidth(520)
        self.controller = controller
        self.account = controller.account
        self._busy = False

        self.intro = plain_label("", self, "signInIntro")
        self.summary = plain_label("", self, "connectionSummary")
        self.settings_button = QPushButton("Connection settings…", self)
        self.settings_button.setObjectName("openConnectionSettings")
        self.settings_button.clicked.connect(self.settings_requested)
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary, 1)
        summary_row.addWidget(self.settings_button, 0, Qt.AlignmentFlag.AlignTop)

        self.session_only = QCheckBox("Sign in for this session o&nly (nothing is saved)", self)
        self.session_only.setObjectName("sessionOnly")
        self.keyring_note = plain_label("", self, "keyringNote")

        # Plain text: an OAuth callback's error= words and Procore's messages end up here.
        self.status = ElidedLabel(parent=self, wrap=True)
        self.status.setObjectName("signInStatus")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # The sign-in page's address, for when no browser opened: one line, copyable.
        self.link = QLineEdit(self)
        self.link.setObjectName("signInLink")
        self.link.setReadOnly(True)
        self.link.setAccessibleName("Address of Procore's sign-in page")
        self.copy_link = QPushButton("&Copy link", self)
        self.copy_link.setObjectName("copySignInLink")
        self.copy_link.clicked.connect(self._copy_link)
        self.reopen = QPushButton("Open a&gain", self)
        self.reopen.setObjectName("reopenSignIn")
        self.reopen.clicked.connect(lambda: self._open(self.link.text()))
        link_row = QHBoxLayout()
        link_row.setContentsMargins(0, 0, 0, 0)
        link_row.addWidget(self.link, 1)
        link_row.addWidget(self.copy_link)
        link_row.addWidget(self.reopen)
        self.link_help = plain_label(
            "No browser opened? Copy the link into your browser.", self, "signInLinkHelp"
        )
        self.link_row = QWidget(self)
        link_box = QVBoxLayout(self.link_row)
        link_box.setContentsMargins(0, 0, 0, 0)
        link_box.addWidget(self.link_help)
        link_box.addLayout(link_row)

        self.code = QLineEdit(self)
        self.code.setObjectName("pastedCode")
        self.code.setPlaceholderText("Paste the code Procore shows after you sign in")
        self.code.setAccessibleName("Code from Procore")
        self.code_button = QPushButton("Contin&ue", self)
        self.code_button.setObjectName("continueWithCode")
        self.code_button.clicked.connect(self._continue_with_code)
        code_row = QHBoxLayout()
        code_row.setContentsMargins(0, 0, 0, 0)
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
        layout.setSpacing(10)
        layout.addWidget(self.intro)
        layout.addLayout(summary_row)
        layout.addWidget(self.keyring_note)
        layout.addWidget(self.session_only)
        layout.addWidget(self.status)
        layout.addWidget(self.link_row)
        layout.addWidget(self.code_row)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.tab_order: list[QWidget] = [
            self.settings_button,
            self.session_only,
            self.link,
            self.copy_link,
            self.reopen,
            self.code,
            self.code_button,
            self.sign_in_button,
            self.cancel_button,
        ]
        set_tab_order(self.tab_order)
        self._restyle()
        theme.palette_notifier().changed.connect(self._restyle)

        controller.account.sign_in_progress.connect(self._progress)
        controller.account.sign_in_failed.connect(self._failed)
        controller.account.open_url.connect(self._open)
        controller.account.connection_saved.connect(self._connection_changed)
        controller.session_opened.connect(self._signed_in)
        self.code_row.hide()
        self.link_row.hide()
        self._update()
        keyring_problem = self.account.state.keyring_problem
        initial = "" if message == keyring_problem else message
        self._show(initial, bool(initial))

    # -- what the dialog offers ----------------------------------------------------------------

    def _update(self) -> None:
        """Follow Connection settings; the session-only box follows where secrets are kept."""
        account = self.account
        connection = account.settings.connection
        provisioned = account.provisioned()
        ready = account.ready()
        label = dict(ENVIRONMENTS).get(connection.environment, connection.environment)
        if connection.environment == "custom":
            label = connection.custom_api_url
        self.intro.setText(HOW.get(connection.sign_in_method, "") if ready else "")
        self.intro.setVisible(ready)
        if ready:
            self.summary.setText(f"Procore: {label}\nApp: {connection.client_id}")
        else:
            self.summary.setText(NOT_SET_UP)
        self.settings_button.setVisible(not provisioned)
        self.sign_in_button.setText(SIGN_IN_WORDS.get(connection.sign_in_method, "Sign In"))
        self.sign_in_button.setEnabled(ready and not self._busy)
        self.sign_in_button.setDefault(ready)
        self.settings_button.setDefault(not ready)
        # One rule on every opening: checked when this run keeps secrets in memory only.
        keyring_problem = account.state.keyring_problem
        self.session_only.setChecked(account.session_only)
        self.session_only.setEnabled(not keyring_problem)
        self.session_only.setVisible(ready and (not provisioned or bool(keyring_problem)))
        self.keyring_note.setText(keyring_problem)
        self.keyring_note.setVisible(bool(keyring_problem))
        self.adjustSize()

    @Slot()
    def _connection_changed(self) -> None:
        """New Connection settings: an error about the old ones no longer applies."""
        if not self._busy:
            self._show("", False)
            self.code_row.hide()
            self.link_row.hide()
        self._update()

    # -- signing in -----------------------------------------------------------------------------

    @Slot()
    def _sign_in(self) -> None:
        account = self.account
        if not account.ready():
            self._failed(NOT_SET_UP)
            return
        connection = account.settings.connection
        self._set_busy(True)
        if connection.sign_in_method == "paste_code":
            self._open(account.pasted_code_url())
            self._show(
                "Sign in on the Procore page that opened, then paste the code it shows.", False
            )
            self.code_row.show()
            # Enter in the code field goes to Continue, not to a new sign-in.
            self.sign_in_button.setDefault(False)
            self.code_button.setDefault(True)
            self.code.setFocus()
            self.adjustSize()
            return
        if connection.sign_in_method == "browser":
            self._show("Opening Procore's sign-in page in your browser…", False)
        else:
            self._show("Signing in…", False)
        account.sign_in(session_only=self.session_only.isChecked())

    @Slot()
    def _continue_with_code(self) -> None:
        if not self.code_button.isEnabled():
            return
        code = self.code.text().strip()
        if not code:
            self._failed("Paste the code Procore showed you.")
            return
        self.code_button.setEnabled(False)
        self.account.finish_pasted_code(code, session_only=self.session_only.isChecked())

    @Slot(str)
    def _open(self, url: str) -> None:
        if not url:
            return
        self.link.setText(url)
        self.link.setCursorPosition(0)
        self.copy_link.setText("&Copy link")
        self.link_row.setVisible(True)
        self.adjustSize()
        self.url_opened.emit(url)
        opener = getattr(self.parent(), "open_external_url", None)
        if callable(opener):
            opener(url)

    @Slot()
    def _copy_link(self) -> None:
        QGuiApplication.clipboard().setText(self.link.text())
        self.copy_link.setText("Copied")

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
            self.account.cancel_sign_in()
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
        self.status.setVisible(bool(text))
        self.status.setProperty("error", error)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        if error and points_to_settings(text) and not self.account.provisioned():
            self.settings_button.setDefault(True)  # the next step: fix the settings
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
        self.sign_in_button.setEnabled(not busy and self.account.ready())
        self.settings_button.setEnabled(not busy)
        self.session_only.setEnabled(not busy and not self.account.state.keyring_problem)
        self.cancel_button.setText("Stop" if busy else "Cancel")

    def done(self, result: int) -> None:
        account = self.account
        account.sign_in_progress.disconnect(self._progress)
        account.sign_in_failed.disconnect(self._failed)
        account.open_url.disconnect(self._open)
        account.connection_saved.disconnect(self._connection_changed)
        self.controller.session_opened.disconnect(self._signed_in)
        if self._busy:
            account.cancel_sign_in()
        super().done(result)
