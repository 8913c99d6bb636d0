"""Follow Link rel="next" until there is none; never trust page sizes or Total."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import httpx

from .cancel import CancelToken
from .errors import MalformedResponse
from .http import Params, Requester
from .parse import expect_list

log = logging.getLogger("costcode_desktop.procore")

MAX_PAGES = 10_000  # far beyond any real list; stops a server that never ends its pages

_LINK_VALUE = re.compile(r"<([^>]*)>([^<]*)")
_REL = re.compile(r"""\brel\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s;,]+))""", re.I)


def next_link(header: str | None, base: str) -> str | None:
    """The rel="next" target of a Link header, resolved against `base`; None if absent/garbled."""
    if not header:
        return None
    for match in _LINK_VALUE.finditer(header):
        target, attributes = match.group(1).strip(), match.group(2)
        rel = _REL.search(attributes)
        if rel is None or not target:
            continue
        values = (rel.group(1) or rel.group(2) or rel.group(3) or "").lower().split()
        if "next" in values:
            try:
                return str(httpx.URL(base).join(target))
            except (httpx.InvalidURL, ValueError):
                return None
    return None


def _normalized(url: str) -> str:
    try:
        return str(httpx.URL(url))
    except (httpx.InvalidURL, ValueError):
        return url


def pages(
    requester: Requester,
    path: str,
    params: Params,
    *,
    what: str,
    company_id: int | None,
    cancel: CancelToken | None,
) -> Iterator[list[Any]]:
    """Yield each page's list of items, following Link rel="next"."""
    url: str = path
    query: Params | None = params
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        response = requester.send("GET", url, params=query, company_id=company_id, cancel=cancel)
        query = None  # the next link carries its own query
        seen.add(_normalized(response.url))
        items = expect_list(response.data, what)
        yield items
        if not items:
            return
        following = next_link(response.headers.get("link"), response.url)
        if following is None:
            return
        if _normalized(following) in seen:
            log.warning("pagination of %s stopped: the next link points back to a page read", what)
            return
        url = following
    raise MalformedResponse(detail=f"Procore kept sending more pages of {what} ({MAX_PAGES}+).")
