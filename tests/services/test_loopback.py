from __future__ import annotations

import socket
import threading

import httpx
import pytest

from costcode_desktop.procore import CancelToken
from costcode_desktop.procore.errors import Cancelled
from costcode_desktop.services.loopback import LoopbackReceiver, SignInFailed
from tests.sandbox_support import (
    another_program_on_ipv6_loopback,
    free_port,
    skip_without_ipv6_loopback,
)


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


def test_the_redirect_names_the_address_listened_on() -> None:
    receiver = LoopbackReceiver(free_port(), "st").start()
    try:
        # RFC 8252 section 7.3: the IP literal, so the browser cannot pick another address.
        assert receiver.redirect_uri == f"http://127.0.0.1:{receiver.port}/callback"
        assert receiver.addresses == ("127.0.0.1",)
    finally:
        receiver.close()


def test_a_localhost_redirect_also_holds_ipv6_loopback() -> None:
    """Browsers that resolve localhost to ::1 first (macOS, Windows) still reach the app."""
    skip_without_ipv6_loopback()
    port = free_port()
    receiver = LoopbackReceiver(port, "st", host="localhost").start()
    assert receiver.redirect_uri == f"http://localhost:{port}/callback"
    assert receiver.addresses == ("127.0.0.1", "::1")
    assert get(f"http://[::1]:{port}/callback?code=from-ipv6&state=st").status_code == 200
    assert receiver.wait(timeout=5) == "from-ipv6"
    for host in ("127.0.0.1", "[::1]"):  # both stop once the answer came
        with pytest.raises(httpx.ConnectError):
            get(f"http://{host}:{port}/callback?code=again&state=st")


def test_a_program_holding_ipv6_loopback_stops_a_localhost_sign_in() -> None:
    port = free_port()
    with another_program_on_ipv6_loopback(port):
        with pytest.raises(SignInFailed, match=rf"Port {port} .*\(address ::1\) is in use"):
            LoopbackReceiver(port, "st", host="localhost").start()
        # The half it could bind is let go: the sign-in listens on no port it does not own.
        with pytest.raises(httpx.ConnectError):
            get(f"http://127.0.0.1:{port}/callback?code=x&state=st")


def test_an_unknown_redirect_host_is_refused() -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1, localhost"):
        LoopbackReceiver(free_port(), "st", host="0.0.0.0")
