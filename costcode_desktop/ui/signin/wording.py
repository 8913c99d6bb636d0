"""Messages about the connection name the dialog that fixes them: Connection settings."""

from __future__ import annotations

# Procore's client and the loopback listener name the dialog in their messages ("check them
# in Connection settings"); the window makes the way to it stand out when a message does.
SETTINGS_NAME = "Connection settings"


def points_to_settings(message: str) -> bool:
    """Whether the message asks the user to change something in Connection settings."""
    return SETTINGS_NAME in message
