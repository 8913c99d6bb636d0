"""What the account's work returns and reports: the outcomes of a sign-in, made on the worker.

A module of its own so the start does not make these types before its first paint: the first
sign-in work runs after it (see account.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from costcode_desktop.services import Session
    from costcode_desktop.services.policy import Policy
    from costcode_desktop.services.secrets import SecretStoreLike
    from costcode_desktop.services.settings import Settings


@dataclass(frozen=True, slots=True)
class Found:
    """What the start-up read besides the outcome: IT's policy, whether a secret is saved."""

    policy: Policy
    secret_saved: bool


@dataclass(frozen=True, slots=True)
class SignedIn:
    session: Session
    settings: Settings
    store: SecretStoreLike | None
    found: Found | None = None


@dataclass(frozen=True, slots=True)
class SignInNeeded:
    settings: Settings
    why: str  # plain words; empty on a first start
    store: SecretStoreLike | None
    found: Found | None = None


@dataclass(frozen=True, slots=True)
class Unreachable:
    """The stored sign-in could not be tried: Procore could not be reached."""

    settings: Settings
    error: BaseException
    store: SecretStoreLike | None
    found: Found | None = None


@dataclass(frozen=True, slots=True)
class ConnectionSaved:
    settings: Settings
    store: SecretStoreLike
    secret_saved: bool


@dataclass(frozen=True, slots=True)
class SignInStep:
    """Plain words for the sign-in dialog while a sign-in goes on."""

    text: str


@dataclass(frozen=True, slots=True)
class OpenBrowser:
    """The browser page of a sign-in, opened on the GUI thread."""

    url: str
