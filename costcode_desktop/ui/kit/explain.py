"""Turn an exception into words for the banner or a dialog, and the details behind them."""

from __future__ import annotations

from costcode_desktop.services import CompanyListUnavailable, ProcoreError


def explain(error: BaseException, details: str) -> tuple[str, str]:
    """A plain message for the banner, and the details behind it (never with secrets)."""
    # Here, not above: these bring the keyring and the sign-in's local server, which a first
    # paint does without (and whose errors only come once they were loaded anyway).
    from costcode_desktop.services.export import ExportError
    from costcode_desktop.services.history.store import HistoryError
    from costcode_desktop.services.loopback import SignInFailed
    from costcode_desktop.services.secrets import SecretStoreError, SecretStoreUnavailable

    if isinstance(error, ProcoreError):
        return str(error), error.technical_details()
    if isinstance(
        error,
        CompanyListUnavailable
        | HistoryError
        | SecretStoreUnavailable
        | SecretStoreError
        | SignInFailed
        | ExportError
        | ValueError,
    ):
        return str(error), ""
    if isinstance(error, OSError):
        return f"The computer refused: {error.strerror or error}.", details
    return f"Something went wrong: {error}. The log has the details.", details
