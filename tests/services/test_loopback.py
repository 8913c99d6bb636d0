from __future__ import annotations

import socket
import threading

import httpx
import pytest

from costcode_desktop.procore import CancelToken
from costcode_desktop.procore.errors import Cancelled
from costcode_desktop.services.loopback import LoopbackReceiver, SignInFailed
from tests.sandbox_support import free_port


def get(url: str) -> httpx.Response:
    return httpx.get(url, timeout=5)


def test_one_valid_callback_gives_the_code_and_the_listener_stops() -> None:
    receiver = LoopbackReceiver(free_port(), "s3cret-state").start()
    base = f"http://127.0.0.1:{receiver.port}"
    assert receiver.redirect_uri == f"http://127.0.0.1:{receiver.port}/callback"

    assert get(f"{base}/favicon.ico").status_code == 404
    forged = get(f"{base}/callback?code=evil&state=wrong")
    assert forged.status_code == 400
    assert "does not match" in forged.text
    good = get(f"{base}/callback?code=the-code&state=s3cret-state")
    assert good.status_code == 200
    assert "You can close this tab" in good.text

    assert receiver.wait(timeout=5) == "the-code"
    with pytest.raises(httpx.ConnectError):
        get(f"{base}/callback?code=again&state=s3cret-state")


def test_denied_sign_in_is_reported_plainly() -> None:
    receiver = LoopbackReceiver(free_port(), "st").start()
    get(f"http://127.0.0.1:{receiver.port}/callback?error=access_denied&state=st")
    with pytest.raises(SignInFailed, match="did not allow the sign-in"):
        receiver.wait(timeout=5)


def test_time_out_and_cancel_stop_the_listener() -> None:
    receiver = LoopbackReceiver(free_port(), "st").start()
    with pytest.raises(SignInFailed, match="No answer came back"):
        receiver.wait(timeout=0.3)

    cancel = CancelToken()
    receiver = LoopbackReceiver(free_port(), "st").start()
    threading.Timer(0.2, cancel.cancel).start()
    with pytest.raises(Cancelled):
        receiver.wait(timeout=30, cancel=cancel)
    with pytest.raises(httpx.ConnectError):
        get(f"http://127.0.0.1:{receiver.port}/callback")


def test_a_busy_port_says_what_to_do() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(SignInFailed, match=f"Port {port} .* in use"):
            LoopbackReceiver(port, "st").start()
