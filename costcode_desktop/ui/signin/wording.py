"""Messages about the connection name the dialog that fixes them: Connection settings."""

from __future__ import annotations

import re

SETTINGS_NAME = "Connection settings"

# Procore's client and the loopback listener say "in Settings"; the window's dialog for those
# values is Connection settings (File menu), so the words point there by its name.
_IN_SETTINGS = re.compile(r"\bin Settings\b")


def name_settings(message: str) -> str:
    """The message with the settings dialog called by its name."""
    return _IN_SETTINGS.sub(f"in {SETTINGS_NAME}", message)


def points_to_settings(message: str) -> bool:
    """Whether the message asks the user to change something in Connection settings."""
    return SETTINGS_NAME in name_settings(message)
