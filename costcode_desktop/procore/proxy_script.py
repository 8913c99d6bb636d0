"""Whether this computer's proxy settings use an automatic configuration script (PAC).

httpx, and so this app, cannot run such a script: where the network needs the proxy it names,
a direct connection fails. Knowing that a script is configured turns "could not reach Procore"
into "ask IT for the proxy's address". Explicit scripts only: Windows' "Automatically detect
settings" (WPAD) is on by default on most PCs and says nothing about the network.
"""

from __future__ import annotations

import functools
import logging
import re
import subprocess
import sys
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger("costcode_desktop.procore")

WINDOWS_SETTINGS_KEY = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings"


def configured_pac_host() -> str | None:
    """Where the configured script comes from, for messages: its host, never its full URL."""
    script = configured_pac()
    if script is None:
        return None
    try:
        host = urlsplit(script).hostname
    except ValueError:  # e.g. a malformed port
        host = None
    return host or script


@functools.cache
def configured_pac() -> str | None:
    """The script's address from the Windows or macOS proxy settings, else None (once per run)."""
    try:
        if sys.platform == "win32":
            import winreg

            return windows_pac(winreg)
        if sys.platform == "darwin":
            return macos_pac(_scutil_proxy())
    except Exception as exc:  # a diagnostic must never stop the app
        log.debug("could not read the proxy script setting: %s: %s", type(exc).__name__, exc)
    return None


def windows_pac(registry: Any) -> str | None:
    """AutoConfigURL under the user's Internet Settings (what "Use setup script" writes)."""
    with registry.OpenKey(registry.HKEY_CURRENT_USER, WINDOWS_SETTINGS_KEY) as key:
        try:
            value, _kind = registry.QueryValueEx(key, "AutoConfigURL")
        except FileNotFoundError:
            return None
    return value.strip() or None if isinstance(value, str) else None


def macos_pac(scutil_output: str) -> str | None:
    """From `scutil --proxy`: the script's URL when "Automatic proxy configuration" is on."""
    fields = dict(re.findall(r"^\s*(\w+)\s*:\s*(.*?)\s*$", scutil_output, re.MULTILINE))
    if fields.get("ProxyAutoConfigEnable") != "1":
        return None
    return fields.get("ProxyAutoConfigURLString") or "a proxy configuration script"


def _scutil_proxy() -> str:
    done = subprocess.run(
        ["scutil", "--proxy"], capture_output=True, text=True, timeout=5, check=False
    )
    return done.stdout
