"""Pacing: slow down before Procore's quota runs out, so a run of many projects meets no 429."""

from __future__ import annotations

import copy
import itertools
import math
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from costcode_desktop.procore import (
    Cancelled,
    CancelToken,
    ProcoreClient,
    RateLimitStatus,
    StaticToken,
    custom_environment,
)
from costcode_desktop.procore.pacing import Pacer
from costcode_desktop.sandbox import RateLimitConfig, SandboxServer
from costcode_desktop.services import (
    RefreshEvent,
    RefreshOutcome,
    RefreshWaiting,
    read_company_list,
)
from costcode_desktop.services.bulk import refresh_many
from costcode_desktop.services.session import Session
from tests.procore.helpers import API, FIXED_NOW, TOKEN
from tests.sandbox_support import running, signed_in_client
from tests.services.seeds import COMPANY, P_DRIFTED, small_seed

ME = {"id": 1, "login": "ap@example.com", "name": "A. P. Clerk"}


class FakeClock:
    """Time that moves only when someone sleeps."""

    def __init__(self, start: float = FIXED_NOW) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float, cancel: CancelToken | None = None) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def reading(remaining: int, reset_in: float, limit: int = 100) -> RateLimitStatus:
    return RateLimitStatus(limit=limit, remaining=remaining, reset_at=FIXED_NOW + reset_in)


class Waits:
    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.seen: list[tuple[str, float]] = []

    def __call__(self, reason: str, seconds: float) -> None:
        self.seen.append((reason, seconds))
        self.clock.sleep(seconds)


# -- the pacer on its own -----------------------------------------------------------------------


def test_no_reading_or_plenty_left_sends_at_once() -> None:
    clock = FakeClock()
    pacer = Pacer(clock)
    waits = Waits(clock)
    ticket = pacer.before_send(waits)
    pacer.after_answer(ticket, reading(50, 10))
    for _ in range(30):
        pacer.after_answer(pacer.before_send(waits), None)
    assert waits.seen == []
    assert pacer.estimate == 20


def test_little_left_is_spread_over_the_time_to_the_reset() -> None:
    clock = FakeClock()
    pacer = Pacer(clock)
    waits = Waits(clock)
    pacer.after_answer(pacer.before_send(waits), reading(5, 10))
    sent_at = []
    for _ in range(5):
        ticket = pacer.before_send(waits)
        sent_at.append(clock.now - FIXED_NOW)
        pacer.after_answer(ticket, None)
    assert sent_at[0] == 0, "the first of the last few goes at once"
    assert all(later > earlier for earlier, later in itertools.pairwise(sent_at))
    assert sent_at[-1] < 10, "all five fit before the reset"
    assert all(reason == "" for reason, _ in waits.seen), "short pauses are not announced"


def test_nothing_left_waits_for_the_reset_and_says_so() -> None:
    clock = FakeClock()
    pacer = Pacer(clock)
    waits = Waits(clock)
    pacer.after_answer(pacer.before_send(waits), reading(0, 42))
    pacer.before_send(waits)
    assert len(waits.seen) == 1
    reason, seconds = waits.seen[0]
    assert reason.startswith("Procore limit reached; resuming at ")
    assert 42 <= seconds <= 43
    assert pacer.stats.pauses == 1


def test_requests_in_flight_are_counted_against_what_is_left() -> None:
    clock = FakeClock()
    pacer = Pacer(clock)
    waits = Waits(clock)
    earlier = pacer.before_send(waits)  # sent first, still not answered
    first = pacer.before_send(waits)
    others = [pacer.before_send(waits) for _ in range(2)]  # sent after `first`, not answered
    pacer.after_answer(first, reading(3, 10))
    assert pacer.estimate == 0, "the three in flight use up the three left"
    others.append(earlier)
    for ticket in others:
        pacer.after_answer(ticket, None)
    pacer.before_send(waits)
    assert waits.seen[0][0].startswith("Procore limit reached")


def test_an_older_answer_arriving_late_does_not_undo_a_newer_one() -> None:
    clock = FakeClock()
    pacer = Pacer(clock)
    waits = Waits(clock)
    older, newer = pacer.before_send(waits), pacer.before_send(waits)
    pacer.after_answer(newer, reading(5, 10))
    assert pacer.estimate == 4, "the older one is still in flight"
    pacer.after_answer(older, reading(9, 10))
    assert pacer.estimate == 4


def test_procore_counts_in_the_order_requests_reach_it_not_the_order_of_their_turns() -> None:
    """The later turn reached Procore first (3 left), the earlier one second (2 left), and their
    answers came back in turn order: the reading with fewer left is the newer one. Taking the
    later turn's reading as newer had counted one request too many and met a 429 (seen once in
    test_request_budget's run of 300 projects)."""
    clock = FakeClock()
    pacer = Pacer(clock)
    waits = Waits(clock)
    first, second = pacer.before_send(waits), pacer.before_send(waits)
    pacer.after_answer(first, reading(2, 10, limit=25))
    pacer.after_answer(second, reading(3, 10, limit=25))
    assert pacer.estimate == 1, "both counted, 2 left at most: never believe 3"


def test_a_reading_of_the_other_window_counts_only_when_it_leaves_fewer() -> None:
    """Both windows limit: while the held one runs, a reading of the other with more left
    (an older answer of the 10-second window, say) does not raise what is believed left."""
    clock = FakeClock()
    pacer = Pacer(clock)
    waits = Waits(clock)
    first, second = pacer.before_send(waits), pacer.before_send(waits)
    pacer.after_answer(first, reading(2, 1800, limit=600))  # the hour, nearly spent
    pacer.after_answer(second, reading(20, 10, limit=25))
    assert pacer.estimate == 1, "the hour's 2, less the second request"


def test_after_a_window_ends_one_request_goes_first_and_the_others_wait_for_it() -> None:
    """The headers spoke of the 10-second window while the hour had 2 left: the three threads
    that all went at once after its reset met a 429 (seen in test_request_budget's run of 300
    projects). Now the first request of a new window goes alone until its answer says more."""
    clock = FakeClock()
    pacer = Pacer(clock)
    waits = Waits(clock)
    pacer.after_answer(pacer.before_send(waits), reading(0, 5, limit=25))
    first = pacer.before_send(waits)  # waits out the 10-second window, then goes first
    second: list[int] = []
    thread = threading.Thread(target=lambda: second.append(pacer.before_send(waits)))
    thread.start()
    thread.join(0.3)
    assert second == [], "the others wait for the first answer of the new window"
    pacer.after_answer(first, reading(1, 3000, limit=600))  # the hour: one left
    thread.join(5)
    assert len(second) == 1
    assert pacer.estimate == 0


def test_an_answer_without_a_reading_is_counted_as_spent() -> None:
    clock = FakeClock()
    pacer = Pacer(clock)
    waits = Waits(clock)
    first, dropped = pacer.before_send(waits), pacer.before_send(waits)
    pacer.after_answer(dropped, None)  # e.g. a dropped connection: processed, no answer
    pacer.after_answer(first, reading(5, 10))
    assert pacer.estimate == 4


def test_a_long_reset_is_not_waited_for_here() -> None:
    clock = FakeClock()
    pacer = Pacer(clock, max_wait=900)
    waits = Waits(clock)
    pacer.after_answer(pacer.before_send(waits), reading(0, 3000))
    pacer.before_send(waits)
    assert waits.seen == [], "Procore's own 429 will say when to come back"


def test_the_quota_view_tells_the_hourly_window_from_the_spike_window() -> None:
    """The headers describe the nearer window; one that resets more than a minute away is the
    hourly one. The estimates in services start from this view."""
    clock = FakeClock()
    pacer = Pacer(clock)
    waits = Waits(clock)
    quota = pacer.quota()
    assert (quota.hourly_limit, quota.spike_limit, quota.sent_last_hour) == (None, None, 0)
    pacer.after_answer(pacer.before_send(waits), reading(24, 8, limit=25))
    quota = pacer.quota()
    assert (quota.hourly_limit, quota.hourly_left, quota.spike_limit) == (None, None, 25)
    assert (quota.sent_last_hour, quota.first_sent_at) == (1, FIXED_NOW)
    pacer.after_answer(pacer.before_send(waits), reading(20, 1800, limit=600))
    pacer.after_answer(pacer.before_send(waits), None)
    quota = pacer.quota()
    assert quota.hourly_limit == 600
    assert quota.hourly_left == 19, "the reading, less what was sent after it"
    assert quota.hourly_reset_at == FIXED_NOW + 1800
    assert quota.spike_limit == 25
    assert quota.sent_last_hour == 3

    clock.now += 1801  # the hourly window reset: its limit is still known, what is left is not
    pacer.after_answer(pacer.before_send(waits), reading(24, 8, limit=25))
    quota = pacer.quota()
    assert (quota.hourly_limit, quota.hourly_left, quota.hourly_reset_at) == (600, None, None)
    assert quota.sent_last_hour == 1, "only what was sent since the window reset"


def test_an_hourly_reset_within_the_hour_is_waited_for_by_default() -> None:
    """Procore's example hour is 600 requests: a run that spends it waits for the reset."""
    clock = FakeClock()
    pacer = Pacer(clock)
    waits = Waits(clock)
    pacer.after_answer(pacer.before_send(waits), reading(0, 3000, limit=600))
    pacer.before_send(waits)
    ((reason, seconds),) = waits.seen
    assert reason.startswith("Procore limit reached; resuming at ")
    assert 3000 <= seconds <= 3001


def test_turns_given_out_never_reach_past_the_reset() -> None:
    """Several threads asking at once for the hour's last few requests: their turns are spread
    up to the reset, and one that would fall after it waits for the new window instead (a turn
    held past the reset once kept a project waiting half an hour for nothing)."""
    clock = FakeClock()
    pacer = Pacer(clock)
    pauses: list[tuple[str, float]] = []

    def wait(reason: str, seconds: float) -> None:
        pauses.append((reason, seconds))
        if seconds >= 100:  # only the wait for the reset moves time on; the others overlap
            clock.now += seconds

    pacer.after_answer(pacer.before_send(wait), reading(4, 100, limit=600))
    for _ in range(6):  # six threads at the same moment, none answered yet
        pacer.before_send(wait)
    assert [round(seconds) for _, seconds in pauses] == [25, 50, 75, 100]  # even, up to it
    assert pauses[-1][0].startswith("Procore limit reached; resuming at ")


def test_pacing_off_never_waits() -> None:
    clock = FakeClock()
    pacer = Pacer(clock, enabled=False)
    waits = Waits(clock)
    pacer.after_answer(pacer.before_send(waits), reading(0, 42))
    pacer.before_send(waits)
    assert waits.seen == []


def test_a_cancelled_wait_gives_the_turn_back() -> None:
    clock = FakeClock()
    pacer = Pacer(clock)
    pacer.after_answer(pacer.before_send(Waits(clock)), reading(3, 10))
    pacer.before_send(Waits(clock))  # the first of the last few goes at once...
    assert pacer.in_flight == 1

    def cancelled(reason: str, seconds: float) -> None:
        raise Cancelled()

    with pytest.raises(Cancelled):
        pacer.before_send(cancelled)  # ...the next one is held back, and cancelled
    assert pacer.in_flight == 1


def test_pacer_is_safe_to_share_between_threads() -> None:
    pacer = Pacer()  # real clock; plenty left, so nobody waits
    pacer.after_answer(pacer.before_send(Waits(FakeClock())), reading(10_000, 1e12))

    def work() -> None:
        for _ in range(500):
            pacer.after_answer(pacer.before_send(Waits(FakeClock())), None)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert pacer.estimate == 10_000 - 2000


# -- the client against a scripted quota ---------------------------------------------------------


class QuotaServer:
    """Answers /me under a fixed window of `limit` requests per `window` seconds, like Procore."""

    def __init__(self, clock: FakeClock, limit: int = 10, window: float = 10.0) -> None:
        self.clock = clock
        self.limit = limit
        self.window = window
        self.start: float | None = None
        self.count = 0
        self.statuses: list[int] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        now = self.clock.now
        if self.start is None or now >= self.start + self.window:
            self.start, self.count = now, 0
        reset = self.start + self.window
        headers = {
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Reset": str(math.ceil(reset)),
        }
        if self.count >= self.limit:
            headers |= {"X-Rate-Limit-Remaining": "0", "Retry-After": str(math.ceil(reset - now))}
            self.statuses.append(429)
            return httpx.Response(429, json={"errors": "Rate limit exceeded"}, headers=headers)
        self.count += 1
        headers["X-Rate-Limit-Remaining"] = str(self.limit - self.count)
        self.statuses.append(200)
        return httpx.Response(200, json=ME, headers=headers)


def quota_client(pacing: bool) -> tuple[ProcoreClient, QuotaServer, FakeClock, list[str]]:
    clock = FakeClock()
    server = QuotaServer(clock)
    reasons: list[str] = []
    client = ProcoreClient(
        API,
        StaticToken(TOKEN),
        transport=httpx.MockTransport(server),
        sleep=clock.sleep,
        clock=clock,
        on_wait=lambda reason, seconds: reasons.append(reason),
        pacing=pacing,
    )
    return client, server, clock, reasons


def test_with_pacing_the_quota_is_never_overrun() -> None:
    client, server, clock, reasons = quota_client(pacing=True)
    for _ in range(35):
        client.me()
    assert server.statuses == [200] * 35
    assert client.throttled_count == 0
    assert client.request_count == 35
    # It held back before the quota hit zero (spreading), and waited for each reset.
    first_pause = next(i for i, s in enumerate(clock.sleeps) if s > 0)
    assert first_pause < 10
    assert any(r.startswith("Procore limit reached; resuming at ") for r in reasons)
    assert client.pacing_stats.pauses >= 3


def test_without_pacing_the_quota_is_overrun_and_429s_are_waited_out() -> None:
    client, server, _, _ = quota_client(pacing=False)
    for _ in range(35):
        client.me()
    assert server.statuses.count(200) == 35, "every call still succeeds"
    assert client.throttled_count == server.statuses.count(429) > 0
    assert client.pacing_stats.pauses == 0


def test_a_cancel_during_a_pacing_wait_stops_before_sending() -> None:
    clock = FakeClock()
    server = QuotaServer(clock, limit=1, window=60)
    cancel = CancelToken()

    def sleep(seconds: float, token: CancelToken | None) -> None:
        cancel.cancel()  # the user presses Cancel while we wait for the reset

    client = ProcoreClient(
        API, StaticToken(TOKEN), transport=httpx.MockTransport(server), sleep=sleep, clock=clock
    )
    client.me()
    with pytest.raises(Cancelled):
        client.me(cancel=cancel)
    assert server.statuses == [200], "nothing sent after the cancel"


def test_waits_are_told_to_the_listener_of_this_thread_only() -> None:
    client, _, _, _ = quota_client(pacing=True)
    heard: list[str] = []
    elsewhere: list[str] = []
    with client.waits_reported_to(lambda reason, seconds: heard.append(reason)):
        for _ in range(12):
            client.me()

    def other_thread() -> None:
        with client.waits_reported_to(lambda reason, seconds: elsewhere.append(reason)):
            pass

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert any(r.startswith("Procore limit reached") for r in heard)
    assert elsewhere == []
    before = len(heard)
    for _ in range(12):
        client.me()  # waits again, but outside the block
    assert len(heard) == before


# -- a real run against the sandbox with a small spike quota -------------------------------------

EXTRA = [562949953440000 + n for n in range(5)]


def paced_seed() -> dict[str, Any]:
    seed = small_seed()
    company = seed["companies"][0]
    drifted = next(p for p in company["projects"] if p["id"] == P_DRIFTED)
    for n, pid in enumerate(EXTRA):
        project = copy.deepcopy(drifted)
        project.update(id=pid, name=f"Paced {n}", project_number=f"25-{n:03d}")
        company["projects"].append(project)
        seed["users"][0]["project_admin"].append(pid)
        seed["users"][0]["projects"].append(pid)
    return seed


@pytest.fixture
def limited() -> Iterator[SandboxServer]:
    limits = RateLimitConfig(hourly=0, spike=20, spike_window=2)
    yield from running(SandboxServer(paced_seed(), rate_limits=limits))


def bulk_refresh(server: SandboxServer, pacing: bool) -> tuple[int, list[str], set[RefreshOutcome]]:
    with signed_in_client(server, pacing=pacing) as client:
        user = client.me(company_id=COMPANY)
        companies = client.companies(company_id=COMPANY)
        company = next(c for c in companies if c.id == COMPANY)
        environment = custom_environment(server.url, server.url, key="t", label="T")
        session = Session(environment, client, user, company, companies)
        company_list = read_company_list(client, COMPANY)
        projects = [p for p in client.projects(COMPANY) if p.id in {P_DRIFTED, *EXTRA}]
        reasons: list[str] = []

        def on_event(event: RefreshEvent) -> None:
            match event:
                case RefreshWaiting(reason=reason):
                    reasons.append(reason)

        run = refresh_many(
            session,
            company_list,
            projects,
            history=None,
            concurrency=3,
            on_event=on_event,
        )
        assert len(run.results) == 6
        return client.throttled_count, reasons, {r.outcome for r in run.results}


def test_sandbox_run_with_pacing_meets_no_429(limited: SandboxServer) -> None:
    throttled, reasons, outcomes = bulk_refresh(limited, pacing=True)
    assert outcomes == {RefreshOutcome.REFRESHED}
    assert throttled == 0
    assert not [r for r in limited.requests if r.status == 429]
    assert any(r.startswith("Procore limit reached; resuming at ") for r in reasons)


def test_sandbox_run_without_pacing_meets_429s_and_still_completes(
    limited: SandboxServer,
) -> None:
    throttled, _, outcomes = bulk_refresh(limited, pacing=False)
    assert outcomes == {RefreshOutcome.REFRESHED}
    assert throttled > 0
    assert throttled == len([r for r in limited.requests if r.status == 429])
