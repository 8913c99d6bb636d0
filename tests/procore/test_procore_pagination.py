"""Link rel="next" pagination: many pages, no next, loops, garbled headers, other hosts."""

from __future__ import annotations

import httpx
import pytest

from costcode_desktop.procore import MalformedResponse
from costcode_desktop.procore.pagination import next_link

from .helpers import API, Harness, reply

BASE = f"{API}/rest/v1.0/cost_codes?project_id=2&page=1&per_page=1000"


def code(ident: int) -> dict[str, object]:
    return {"id": ident, "code": str(ident), "full_code": f"01-{ident}", "name": f"Code {ident}"}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        (f'<{API}/x?page=2>; rel="next"', f"{API}/x?page=2"),
        (f"<{API}/x?page=2>; rel=next", f"{API}/x?page=2"),
        (
            f'<{API}/x?page=1>; rel="first", <{API}/x?page=1>; rel="prev", '
            f'<{API}/x?page=3>; rel="next", <{API}/x?page=9>; rel="last"',
            f"{API}/x?page=3",
        ),
        (f'<{API}/x?page=9>; rel="last"', None),
        (f'<{API}/x?page=3>; title="a, b"; rel="last next"', f"{API}/x?page=3"),
        ('</rest/v1.0/x?page=2>; rel="next"', f"{API}/rest/v1.0/x?page=2"),
        ('garbage; rel="next"', None),
        ('<>; rel="next"', None),
        ("<https://api.example.test/x?page=2>", None),
    ],
)
def test_next_link(header: str | None, expected: str | None) -> None:
    assert next_link(header, BASE) == expected


def paged(total: int, sizes: list[int], *, total_header: str | None = None) -> Harness:
    """A server handing out `total` codes in pages of the given (uneven) sizes."""
    starts = [sum(sizes[:i]) for i in range(len(sizes))]

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        start = starts[page - 1]
        items = [code(i) for i in range(start + 1, min(start + sizes[page - 1], total) + 1)]
        headers = {"Total": total_header or str(total), "Per-Page": "1000"}
        if page < len(sizes):
            nxt = f"{API}/rest/v1.0/cost_codes?page={page + 1}&per_page=1000&project_id=2"
            headers["Link"] = (
                f'<{API}/rest/v1.0/cost_codes?page=1>; rel="first", <{nxt}>; rel="next"'
            )
        return reply(items, headers=headers)

    return Harness(handler)


def test_many_uneven_pages_are_all_read() -> None:
    sizes = [1000, 999, 1000, 1, 1000, 500] * 5
    total = sum(sizes)
    h = paged(total, sizes)
    codes = h.client.cost_codes(42, 2)
    assert len(codes) == total
    assert [c.id for c in codes] == list(range(1, total + 1))
    assert len(h.requests) == len(sizes)
    first = h.requests[0]
    assert first.url.params["project_id"] == "2"
    assert first.url.params["per_page"] == "1000"
    assert first.url.params["page"] == "1"
    assert [int(r.url.params["page"]) for r in h.requests] == list(range(1, len(sizes) + 1))
    assert all(r.headers["procore-company-id"] == "42" for r in h.requests)


def test_links_as_procore_documents_them_are_followed_to_the_last_page() -> None:
    """pagination.md: page 1 has next and last; page 2 first, next and last; later pages also
    prev (the example lists first, prev, last, next); the last page has no next."""

    def url(page: int) -> str:
        return f"{API}/rest/v1.0/cost_codes?project_id=2&page={page}&per_page=2"

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        rels: list[tuple[int, str]] = []
        if page > 1:
            rels.append((1, "first"))
        if page > 2:
            rels.append((page - 1, "prev"))
        rels.append((4, "last"))
        if page < 4:
            rels.append((page + 1, "next"))
        link = ",\n      ".join(f'<{url(p)}>; rel="{rel}"' for p, rel in rels)
        items = [code(2 * page - 1), code(2 * page)][: 1 if page == 4 else 2]
        return reply(items, headers={"Link": link, "Total": "7", "Per-Page": "2"})

    h = Harness(handler)
    assert [c.id for c in h.client.cost_codes(42, 2)] == list(range(1, 8))
    assert [int(r.url.params["page"]) for r in h.requests] == [1, 2, 3, 4]


def test_total_header_is_not_trusted() -> None:
    h = paged(30, [10, 10, 10], total_header="5")
    assert len(h.client.cost_codes(1, 2)) == 30


def test_no_link_means_one_page_even_when_full() -> None:
    h = Harness(steps=[reply([code(i) for i in range(1, 1001)], headers={"Total": "5000"})])
    assert len(h.client.cost_codes(1, 2)) == 1000
    assert len(h.requests) == 1


def test_link_loop_stops() -> None:
    page1 = f"{API}/rest/v1.0/cost_codes?project_id=2&page=1&per_page=1000"
    page2 = f"{API}/rest/v1.0/cost_codes?project_id=2&page=2&per_page=1000"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["page"] == "1":
            return reply([code(1)], headers={"Link": f'<{page2}>; rel="next"'})
        return reply([code(2)], headers={"Link": f'<{page1}>; rel="next"'})

    h = Harness(handler)
    assert [c.id for c in h.client.cost_codes(1, 2)] == [1, 2]
    assert len(h.requests) == 2


def test_self_link_stops() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return reply([code(1)], headers={"Link": f'<{request.url}>; rel="next"'})

    h = Harness(handler)
    assert len(h.client.cost_codes(1, 2)) == 1
    assert len(h.requests) == 1


def test_garbled_link_stops() -> None:
    h = Harness(steps=[reply([code(1)], headers={"Link": "page=2; next"})])
    assert len(h.client.cost_codes(1, 2)) == 1


def test_empty_page_stops_even_with_a_next_link() -> None:
    h = Harness(
        steps=[reply([], headers={"Link": f'<{API}/rest/v1.0/cost_codes?page=2>; rel="next"'})]
    )
    assert h.client.cost_codes(1, 2) == []
    assert len(h.requests) == 1


def test_next_link_to_another_host_is_refused() -> None:
    link = '<https://evil.example.test/rest/v1.0/cost_codes?page=2>; rel="next"'
    h = Harness(steps=[reply([code(1)], headers={"Link": link})])
    with pytest.raises(MalformedResponse) as caught:
        h.client.cost_codes(1, 2)
    assert "another server" in (caught.value.detail or "")
    assert len(h.requests) == 1


def test_rows_repeated_across_pages_are_kept_once() -> None:
    nxt = f"{API}/rest/v1.0/cost_codes?project_id=2&page=2"
    h = Harness(
        steps=[
            reply([code(1), code(2)], headers={"Link": f'<{nxt}>; rel="next"'}),
            reply([code(2), code(3)]),
        ]
    )
    assert [c.id for c in h.client.cost_codes(1, 2)] == [1, 2, 3]


def test_a_page_that_is_not_a_list_is_malformed() -> None:
    h = Harness(steps=[reply({"data": []})])
    with pytest.raises(MalformedResponse):
        h.client.cost_codes(1, 2)


def test_retry_mid_pagination_resumes_the_same_page() -> None:
    nxt = f"{API}/rest/v1.0/cost_codes?project_id=2&page=2"
    h = Harness(
        steps=[
            reply([code(1)], headers={"Link": f'<{nxt}>; rel="next"'}),
            reply({}, 503),
            reply([code(2)]),
        ]
    )
    assert [c.id for c in h.client.cost_codes(1, 2)] == [1, 2]
    assert str(h.requests[1].url) == str(h.requests[2].url) == nxt


def test_next_link_with_explicit_default_port_is_followed() -> None:
    nxt = "https://API.example.test:443/rest/v1.0/cost_codes?project_id=2&page=2"
    h = Harness(
        steps=[reply([code(1)], headers={"Link": f'<{nxt}>; rel="next"'}), reply([code(2)])]
    )
    assert [c.id for c in h.client.cost_codes(1, 2)] == [1, 2]
