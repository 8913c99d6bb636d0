"""Error bodies to one readable sentence, and answers to the exception an accountant can act on.

Procore v1 error bodies are not uniform. The generated spec's generic model is
{"code", "message", "fields", "reason", "error"} (all strings but the code); others are
{"errors": str|list|dict}, {"error": {"code", "message", "details"}}, {"error": str},
{"base": [...], "fields": {...}}, {"message", "exception"}, OAuth's {"error", "error_description"},
or plain text and HTML from a proxy. Secrets a server echoes back are hidden.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from .errors import (
    AuthenticationFailed,
    CompanyIdRequired,
    Conflict,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    ProcoreError,
    RateLimited,
    ServerError,
)
from .jsontext import NotJson, read_json

TEXT_DETAIL_LIMIT = 300
JSON_DETAIL_LIMIT = 600

APP_NOT_INSTALLED_MESSAGE = (
    "The CostCodeSync app is not installed in this Procore company. Ask your Procore "
    "administrator to install it from the App Marketplace / App Management."
)
# Procore's text when a call lacks the company header (tutorial_mpz.md); status undocumented.
_MISSING_COMPANY_HEADER = re.compile(r"missing\W+procore-company-id\W+header", re.I)
# The generic model's `error` often only repeats the status ("Not Found"): no news for a reader.
_STATUS_PHRASES = frozenset(status.phrase.lower() for status in HTTPStatus)
_APP_WORD = re.compile(r"\bapp(?:lication)?s?\b", re.I)
_NOT_INSTALLED = re.compile(
    r"\b(?:not|never|un|dis)\W*(?:\w+\W+){0,2}(?:connected|installed)\b", re.I
)


def truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def redact(text: str | None, secrets: Iterable[str]) -> str | None:
    """Remove any secret (token, client secret) a server might echo back."""
    if text is None:
        return None
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[hidden]")
    return text


def _join(parts: Iterable[str | None], sep: str = "; ") -> str | None:
    seen: list[str] = []
    for part in parts:
        if part and part not in seen:
            seen.append(part)
    return sep.join(seen) if seen else None


def _field_messages(mapping: Mapping[str, Any], depth: int) -> str | None:
    """{"name": ["can't be blank"], "base": ["Locked"]} -> "Locked; name: can't be blank"."""
    parts: list[str | None] = []
    base = [mapping[key] for key in ("base", "_base") if key in mapping]
    parts.extend(describe_error_json(value, depth + 1) for value in base)
    for key, value in mapping.items():
        if key in ("base", "_base"):
            continue
        text = describe_error_json(value, depth + 1, sep=", ")
        if text:
            parts.append(f"{key}: {text}")
    return _join(parts)


def describe_error_json(data: object, depth: int = 0, sep: str = "; ") -> str | None:
    """One readable message from any of the error body shapes Procore v1 uses."""
    if depth > 5 or data is None:
        return None
    if isinstance(data, str):
        return data.strip() or None
    if isinstance(data, bool):
        return None
    if isinstance(data, int | float):
        return str(data)
    if isinstance(data, list):
        return _join((describe_error_json(item, depth + 1) for item in data), sep)
    if not isinstance(data, dict):
        return None
    parts: list[str | None] = []
    error = data.get("error")
    description = data.get("error_description")
    if isinstance(description, str) and description.strip():  # OAuth shape
        oauth_code = error.strip() if isinstance(error, str) else ""
        text = description.strip()
        parts.append(f"{text} ({oauth_code})" if oauth_code else text)
        error = None
    message = describe_error_json(data.get("message"), depth + 1)
    if message:
        reason = describe_error_json(data.get("reason"), depth + 1)
        if reason and reason != message:
            message = f"{message} ({reason})"
        parts.append(message)
    elif "reason" in data:
        parts.append(describe_error_json(data.get("reason"), depth + 1))
    errors = data.get("errors")
    if isinstance(errors, dict):
        parts.append(_field_messages(errors, depth))
    else:
        parts.append(describe_error_json(errors, depth + 1))
    # {"base": [...], "fields": {...}} on some 422s; {"error": {..., "details": [...]}}.
    for key in ("base", "details"):
        parts.append(describe_error_json(data.get(key), depth + 1))
    if not (message and isinstance(error, str) and error.strip().lower() in _STATUS_PHRASES):
        parts.append(describe_error_json(error, depth + 1))
    fields = data.get("fields")
    if fields:
        listed = _field_messages(fields, depth) if isinstance(fields, dict) else None
        listed = listed or describe_error_json(fields, depth + 1, sep=", ")
        if listed:
            parts.append(f"fields: {listed}")
    result = _join(parts)
    if result is None:
        code = data.get("code")
        if isinstance(code, str | int) and not isinstance(code, bool):
            return f"error code {code}"
        if data and all(isinstance(value, list | str) for value in data.values()):
            return _field_messages(data, depth)  # a bare {"field": ["message"]} mapping
    return result


_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]+>", re.I | re.S)


def error_detail(content: bytes) -> str | None:
    """The server's explanation from an error body: JSON shapes, or plain text/HTML, shortened."""
    if not content or not content.strip():
        return None
    try:
        data = read_json(content)
    except NotJson:
        text = content.decode("utf-8", errors="replace")
        if "<" in text and ">" in text:
            text = _TAGS.sub(" ", text)
        text = " ".join(text.split())
        return truncate(text, TEXT_DETAIL_LIMIT) if text else None
    message = describe_error_json(data)
    return truncate(message, JSON_DETAIL_LIMIT) if message else None


def is_app_not_installed(detail: str | None) -> bool:
    """Procore's 403 "App is not connected to this company" and its variants."""
    text = detail or ""
    return bool(_APP_WORD.search(text) and _NOT_INSTALLED.search(text))


def error_from_response(
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    *,
    secrets: Iterable[str] = (),
    reset_at: float | None = None,
) -> ProcoreError:
    """Map a non-success answer to the exception an accountant can act on."""
    detail = redact(error_detail(content), secrets)
    request_id = headers.get("x-request-id") or None
    kwargs: dict[str, Any] = {"status": status, "request_id": request_id, "detail": detail}
    if 400 <= status < 500 and status != 429 and _MISSING_COMPANY_HEADER.search(detail or ""):
        return CompanyIdRequired(**kwargs)
    if status in (400, 422) or (
        400 <= status < 500 and status not in (401, 403, 404, 409, 410, 413, 429)
    ):
        return InvalidRequest(
            f"Procore refused the request: {detail}" if detail else None, **kwargs
        )
    if status == 401:
        return AuthenticationFailed(**kwargs)
    if status == 403:
        return PermissionDenied(
            APP_NOT_INSTALLED_MESSAGE if is_app_not_installed(detail) else None, **kwargs
        )
    if status in (404, 410):
        return NotFound(**kwargs)
    if status == 409:
        return Conflict(f"Procore refused a duplicate: {detail}" if detail else None, **kwargs)
    if status == 413:
        return PayloadTooLarge(**kwargs)
    if status == 429:
        return RateLimited(reset_at=reset_at, **kwargs)
    if status >= 500:
        return ServerError(**kwargs)
    if 300 <= status < 400:
        return ProcoreError(
            "Procore answered with a redirect, which this application does not follow. Check the "
            "server address (environment or custom URL) in Connection settings.",
            **kwargs,
        )
    return ProcoreError(f"Procore answered with unexpected status {status}.", **kwargs)
