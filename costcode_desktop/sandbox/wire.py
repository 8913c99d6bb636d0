"""Request and response values, error answers, query parsing and Procore-style pagination."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from .jsontext import NotJson, read_json
from .seedmodel import MAX_ID

JSON_TYPE = "application/json; charset=utf-8"


@dataclass(slots=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    query_pairs: list[tuple[str, str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    base_url: str

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def params(self, name: str) -> list[str]:
        return list(self.query.get(name, []))

    def is_json(self) -> bool:
        content_type = (self.header("content-type") or "").lower()
        return "json" in content_type

    def json_body(self) -> Any:
        """The JSON body; an empty body is None. Malformed JSON answers 400."""
        if not self.body.strip():
            return None
        try:
            body = read_json(self.body)
            # A \ud800 escape gives a lone surrogate, which SQLite cannot store: refused here
            # as Procore refuses text that is not text, not as a 500 from the database.
            json.dumps(body, ensure_ascii=False).encode("utf-8")
        except NotJson as exc:
            message = f"Malformed JSON in request body: {exc}"
            raise errors(400, message, reason="malformed_json") from None
        except UnicodeEncodeError:
            message = "Malformed JSON in request body: a string holds a lone surrogate"
            raise errors(400, message, reason="malformed_json") from None
        return body


@dataclass(slots=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = JSON_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)
    drop: bool = False  # close the connection without answering
    json_payload: bool = True

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def json_response(
    status: int, payload: object, headers: list[tuple[str, str]] | None = None
) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(status=status, body=body, headers=list(headers or []))


class ApiError(Exception):
    """Raised by endpoints; becomes the given status and JSON body."""

    def __init__(
        self, status: int, payload: object, headers: list[tuple[str, str]] | None = None
    ) -> None:
        super().__init__(f"{status}: {payload}")
        self.status = status
        self.payload = payload
        self.headers = list(headers or [])

    def response(self) -> Response:
        return json_response(self.status, self.payload, self.headers)


def error_body(
    status: int, message: str, *, reason: str | None = None, fields: str | None = None
) -> dict[str, object]:
    """Procore's generic v1 error model: {code, message, fields, reason, error}.

    The generated spec gives this model (all five keys, `fields` a string) for the 400, 401,
    403, 404 and 422 answers of the endpoints the app uses. `reason` is "a human-readable code"
    and `error` "Description of the error thrown": here the status's phrase.
    """
    return {
        "code": status,
        "message": message,
        "fields": fields,
        "reason": reason,
        "error": _phrase(status),
    }


def errors(
    status: int, message: str, *, reason: str | None = None, fields: str | None = None
) -> ApiError:
    """An error answer in Procore's generic v1 error model (see error_body)."""
    return ApiError(status, error_body(status, message, reason=reason, fields=fields))


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def fits_id(value: int) -> bool:
    """Whether SQLite can take `value` (a 64-bit signed integer): larger ones overflow."""
    return -MAX_ID - 1 <= value <= MAX_ID


def int_param(request: Request, name: str, *, required: bool = False) -> int | None:
    raw = request.param(name)
    if raw is None or raw == "":
        if required:
            raise errors(400, f"{name} is required")
        return None
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not fits_id(value):
        raise errors(400, f"{name} must be a 64-bit integer, got {raw!r}")
    return value


def int_list_param(request: Request, name: str) -> list[int] | None:
    """`filters[id][]=1&filters[id][]=2`, also `filters[id]=1,2`; None when absent."""
    raw = request.params(f"{name}[]") + request.params(name)
    if not raw:
        return None
    values: list[int] = []
    for item in raw:
        for part in item.split(","):
            part = part.strip()
            if not part:
                continue
            try:
                value = int(part)
            except ValueError:
                value = None
            if value is None or not fits_id(value):
                raise errors(400, f"{name} must hold 64-bit integer ids, got {part!r}")
            values.append(value)
    return values


def bool_param(request: Request, name: str) -> bool | None:
    raw = request.param(name)
    if raw is None or raw == "":
        return None
    return raw.strip().lower() in {"1", "true", "yes", "on", "t"}


def paginate(
    request: Request, items: list[Any], *, default: int = 100, cap: int = 2000
) -> tuple[list[Any], list[tuple[str, str]]]:
    """One page of `items` plus Total, Per-Page and Link headers."""
    page = int_param(request, "page") or 1
    page = max(page, 1)
    per_page = int_param(request, "per_page")
    per_page = default if per_page is None else min(max(per_page, 1), cap)
    total = len(items)
    last = max(1, math.ceil(total / per_page))
    start = (page - 1) * per_page
    chunk = items[start : start + per_page]

    kept = [(k, v) for k, v in request.query_pairs if k not in ("page", "per_page")]

    def link(target: int, rel: str) -> str:
        query = urlencode([*kept, ("page", str(target)), ("per_page", str(per_page))])
        return f'<{request.base_url}{request.path}?{query}>; rel="{rel}"'

    # As Procore documents it: page 1 has next and last, page 2 first, next and last, later
    # pages also prev; the last page has no next.
    links = []
    if page > 1:
        links.append(link(1, "first"))
    if page > 2:
        links.append(link(min(page - 1, last), "prev"))
    if page < last:
        links.append(link(page + 1, "next"))
    links.append(link(last, "last"))
    headers = [("Total", str(total)), ("Per-Page", str(per_page)), ("Link", ", ".join(links))]
    return chunk, headers
