"""The HTML pages of the sign-in flow: consent form, code page, error pages, redirect body.

Every value that comes from a request or the seed goes through `esc` (html.escape with quotes),
so a hostile state, login or redirect URI cannot break out of the markup. The pages need no
script and load nothing: the CSP forbids everything but their inline style.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from .seedmodel import OOB_REDIRECT_URI
from .wire import Response

HTML_TYPE = "text/html; charset=utf-8"
PRODUCT = "CostCodeSync"
SIGN_IN_TITLE = f"Sign in to the {PRODUCT} sandbox"
COPY_PROMPT = f"Copy this code into {PRODUCT}"

# Element ids the test helper (`browser.py`) reads; keep them in step with the markup.
CODE_ID = "authorization-code"
ERROR_ID = "error"

_HEADERS = (
    ("Cache-Control", "no-store"),
    ("Pragma", "no-cache"),
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
)

_STYLE = """
body { margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center;
  background: #f3f4f6; color: #1f2937;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { background: #fff; width: min(26rem, calc(100vw - 2rem)); padding: 2rem;
  border-radius: 10px; box-shadow: 0 2px 12px rgb(0 0 0 / 12%); }
h1 { font-size: 1.3rem; margin: 0 0 .25rem; }
.sandbox { margin: 0 0 1.25rem; color: #6b7280; font-size: .85rem; }
.request { margin: 0 0 1.25rem; }
label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
input[type=text], input[type=password] { box-sizing: border-box; width: 100%; padding: .5rem .6rem;
  border: 1px solid #d1d5db; border-radius: 6px; font: inherit; }
input:focus { outline: 2px solid #f47e42; border-color: #f47e42; }
.buttons { display: flex; gap: .75rem; margin-top: 1.5rem; }
button { flex: 1; padding: .6rem; border-radius: 6px; font: inherit; font-weight: 600;
  cursor: pointer; border: 1px solid #d1d5db; background: #fff; color: #1f2937; }
button.allow { background: #f47e42; border-color: #f47e42; color: #fff; }
.error { background: #fef2f2; border: 1px solid #fecaca; color: #991b1b; padding: .6rem .75rem;
  border-radius: 6px; margin: 0 0 1rem; }
.target { margin-top: 1.25rem; color: #6b7280; font-size: .8rem; word-break: break-all; }
.code { display: block; margin: 1rem 0; padding: 1rem; font: 600 1.2rem/1.4 ui-monospace,
  "Cascadia Mono", Consolas, monospace; background: #f9fafb; border: 2px dashed #9ca3af;
  border-radius: 8px; text-align: center; word-break: break-all; user-select: all;
  -webkit-user-select: all; cursor: text; }
"""


def esc(value: object) -> str:
    return escape(str(value), quote=True)


@dataclass(frozen=True, slots=True)
class ConsentForm:
    """What the consent page shows and carries back in its hidden fields."""

    app_name: str
    client_id: str
    redirect_uri: str
    state: str | None  # None: the request had no state, so none is sent back
    login: str = ""
    error: str | None = None
    code_challenge: str | None = None  # PKCE, carried to the POST like the rest
    code_challenge_method: str | None = None

    def hidden_fields(self) -> Mapping[str, str]:
        fields = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
        }
        if self.state is not None:
            fields["state"] = self.state
        if self.code_challenge is not None:
            fields["code_challenge"] = self.code_challenge
        if self.code_challenge_method is not None:
            fields["code_challenge_method"] = self.code_challenge_method
        return fields


def _page(
    status: int, title: str, body: str, headers: list[tuple[str, str]] | None = None
) -> Response:
    html = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
    return Response(
        status,
        html.encode("utf-8"),
        HTML_TYPE,
        [*_HEADERS, *(headers or [])],
        json_payload=False,
    )


def _error_box(message: str | None) -> str:
    if not message:
        return ""
    return f'<p class="error" id="{ERROR_ID}" role="alert">{esc(message)}</p>\n'


def _where_next(redirect_uri: str) -> str:
    if redirect_uri == OOB_REDIRECT_URI:
        return "The next page shows a code to copy into the application."
    return f"You will return to {esc(redirect_uri)}"


def consent_page(form: ConsentForm, status: int = 200) -> Response:
    hidden = "\n".join(
        f'<input type="hidden" name="{esc(name)}" value="{esc(value)}">'
        for name, value in form.hidden_fields().items()
    )
    body = (
        f"<h1>{esc(SIGN_IN_TITLE)}</h1>\n"
        '<p class="sandbox">A local test server: not Procore, no real data.</p>\n'
        f'<p class="request"><strong>{esc(form.app_name)}</strong> would like to use the '
        "sandbox's Procore API as you.</p>\n"
        f"{_error_box(form.error)}"
        '<form method="post" action="/oauth/authorize">\n'
        f"{hidden}\n"
        '<label for="login">Login</label>\n'
        f'<input type="text" id="login" name="login" value="{esc(form.login)}" '
        'autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus>\n'
        '<label for="password">Password</label>\n'
        '<input type="password" id="password" name="password" '
        'autocomplete="current-password" required>\n'
        '<div class="buttons">\n'
        '<button type="submit" class="allow" name="decision" value="allow">Allow</button>\n'
        '<button type="submit" class="deny" name="decision" value="deny" formnovalidate>'
        "Deny</button>\n"
        "</div>\n"
        "</form>\n"
        f'<p class="target">{_where_next(form.redirect_uri)}</p>'
    )
    return _page(status, SIGN_IN_TITLE, body)


def code_page(app_name: str, code: str) -> Response:
    """The installed-app (out-of-band) answer: the code to paste into the application."""
    body = (
        f"<h1>{esc(COPY_PROMPT)}</h1>\n"
        f'<p class="request">You allowed <strong>{esc(app_name)}</strong> to sign in as you. '
        "Paste this authorization code into the application; it works once, within 10 "
        "minutes.</p>\n"
        f'<code class="code" id="{CODE_ID}">{esc(code)}</code>\n'
        '<p class="target">Click the code once to select all of it.</p>'
    )
    return _page(200, "Authorization code", body)


def denied_page(app_name: str) -> Response:
    """The out-of-band answer to Deny: nothing to paste."""
    body = (
        "<h1>Access denied</h1>\n"
        f"<p>You did not allow <strong>{esc(app_name)}</strong> to sign in as you. "
        "You can close this window.</p>"
    )
    return _page(200, "Access denied", body)


def error_page(status: int, title: str, message: str) -> Response:
    """A request the sign-in page cannot serve; never redirects anywhere."""
    body = f"<h1>{esc(title)}</h1>\n{_error_box(message)}"
    return _page(status, title, body)


def admin_page(project_name: str, codes: list[tuple[str, str, str]]) -> Response:
    """The sandbox's stand-in for a project's Admin tool: its codes and their cost types."""
    rows = "\n".join(
        f"<tr><td>{esc(full)}</td><td>{esc(name)}</td><td>{esc(types) or '(none)'}</td></tr>"
        for full, name, types in codes
    )
    body = (
        f"<h1>Admin: {esc(project_name)}</h1>\n"
        "<p>Project Settings: Work Breakdown Structure, Cost Code Cost Type Assignments, "
        "General (Re-send to ERP). In the sandbox this page only shows them.</p>\n"
        "<table><tr><th>Code</th><th>Description</th><th>Cost types</th></tr>\n"
        f"{rows}\n</table>"
    )
    return _page(200, f"Admin - {project_name}", body)


def redirect(location: str) -> Response:
    """302 to `location` (already URL-encoded), with the small body Rails sends along."""
    body = f'<html><body>You are being <a href="{esc(location)}">redirected</a>.</body></html>\n'
    return Response(
        302,
        body.encode("utf-8"),
        HTML_TYPE,
        [("Location", location), *_HEADERS],
        json_payload=False,
    )
