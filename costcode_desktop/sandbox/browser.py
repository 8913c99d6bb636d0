"""What a browser and its user do on the sign-in page, for tests (`SandboxServer.approve`).

GET the authorize URL, read the form like a browser (its action and hidden fields), fill in the
login and password, press Allow or Deny, and return where the server redirects WITHOUT following
it (the Location URL), or for the out-of-band redirect URI the code the page shows. Plain
http.client, one connection per request, no shared state: safe from any thread.
"""

from __future__ import annotations

import http.client
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

from .pages import CODE_ID, ERROR_ID

REDIRECTS = frozenset({301, 302, 303, 307, 308})


class SignInError(RuntimeError):
    """The sign-in page did not redirect (or show a code): wrong password, bad request, ..."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(slots=True)
class _Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)


class _PageReader(HTMLParser):
    """The first form (action, method, hidden fields) and the text of the code and error boxes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.form: _Form | None = None
        self._in_form = False
        self.texts: dict[str, str] = {}
        self._capturing: str | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if self._capturing is not None:
            self._depth += 1
        elif attributes.get("id") in (CODE_ID, ERROR_ID):
            self._capturing = attributes["id"]
            self._depth = 1
            self.texts[self._capturing] = ""
        if tag == "form" and self.form is None:
            method = attributes.get("method", "get").lower()
            self.form = _Form(attributes.get("action", ""), method)
            self._in_form = True
        elif (
            tag == "input"
            and self._in_form
            and self.form is not None
            and attributes.get("type", "text").lower() == "hidden"
            and attributes.get("name")
        ):
            self.form.fields.append((attributes["name"], attributes.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        if self._capturing is not None:
            self._depth -= 1
            if self._depth == 0:
                self._capturing = None

    def handle_data(self, data: str) -> None:
        if self._capturing is not None:
            self.texts[self._capturing] += data


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    location: str | None
    page: _PageReader


def _send(url: str, method: str, body: bytes | None, timeout: float) -> _Answer:
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"not an http:// URL: {url!r}")
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    headers = {"Accept": "text/html", "Connection": "close"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, target, body=body, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        location = response.getheader("Location")
        status = response.status
    finally:
        conn.close()
    reader = _PageReader()
    reader.feed(raw.decode("utf-8", errors="replace"))
    reader.close()
    return _Answer(status, location, reader)


def _refusal(step: str, answer: _Answer) -> SignInError:
    reason = answer.page.texts.get(ERROR_ID, "").strip() or "no explanation on the page"
    return SignInError(f"{step} answered {answer.status}: {reason}", answer.status)


def submit(
    authorize_url: str,
    login: str,
    password: str,
    decision: str = "allow",
    *,
    timeout: float = 10.0,
) -> str:
    """Open the sign-in page, fill it in, press `decision`; the Location URL or the OOB code."""
    page = _send(authorize_url, "GET", None, timeout)
    form = page.page.form
    if page.status != 200 or form is None:
        raise _refusal("GET /oauth/authorize", page)
    fields = [*form.fields, ("login", login), ("password", password), ("decision", decision)]
    target = urljoin(authorize_url, form.action or authorize_url)
    answer = _send(target, form.method.upper(), urlencode(fields).encode("ascii"), timeout)
    if answer.status in REDIRECTS and answer.location is not None:
        return urljoin(target, answer.location)
    code = answer.page.texts.get(CODE_ID, "").strip()
    if answer.status == 200 and code:
        return code
    raise _refusal("POST /oauth/authorize", answer)
