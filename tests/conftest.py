from __future__ import annotations

import os
import urllib.request
from pathlib import Path

import pytest

from costcode_desktop.procore import proxy_script
from costcode_desktop.procore.network import CA_BUNDLE_ENV

# Tests never need a screen, and never touch the user's real folders.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "costcodesync-home"
    monkeypatch.setenv("COSTCODESYNC_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def no_machine_network_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy or certificate bundle from the machine running the tests, nor a system proxy
    or proxy script: tests that want one set it themselves."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy") or name == CA_BUNDLE_ENV:
            monkeypatch.delenv(name)
    monkeypatch.setattr(urllib.request, "getproxies", urllib.request.getproxies_environment)
    monkeypatch.setattr(proxy_script, "configured_pac", lambda: None)
