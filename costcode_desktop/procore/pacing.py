"""Slow down before Procore's request quota runs out, instead of running into 429s.

Every answer carries `X-Rate-Limit-Limit / -Remaining / -Reset` for whichever window (hourly or
10-second spike) is nearer exhaustion. One Pacer, shared by all the threads of one client, keeps
the latest reading and, before each request:

- goes ahead while plenty is left;
- when little is left (at most max(2, 10 % of the limit), or no more than the requests in
  flight), spreads what is left evenly over the time to the reset;
- when nothing is left, waits until the reset ("Procore limit reached; resuming at 14:05").

Readings can arrive out of order from several threads, and Procore counts requests in the
order they reach it, which need not be the order they were given their turns. Within one window
the reading with fewer left is the newer one; while a window is still running, a reading of
another window counts only when it leaves fewer requests (both windows limit). Every request
still in flight when a reading arrives is assumed not yet counted by Procore. Answers Procore
does not count (401, server errors) carry no reading. When a window ends nothing is known of
the next one (the hourly window may be all but spent while the headers spoke of the 10-second
one), so one request goes first and the others wait for its answer (at most PROBE_MAX seconds).
429 and 503 answers are still honoured by the request loop as before.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from .records import RateLimitStatus

# (plain reason, seconds): does the waiting and raises Cancelled when the caller cancels.
Wait = Callable[[str, float], None]

LOW_SHARE = 0.10  # "little left" starts at this share of the limit...
LOW_FLOOR = 2  # ...and at no fewer requests than this
RESET_MARGIN = 0.25  # seconds past the reset before sending again (clocks differ a little)
REPORT_SPREAD_OVER = 5.0  # spreading pauses shorter than this are not worth telling anyone
_SILENT_KEPT = 256
PROBE_MAX = 2.0  # real seconds the others wait for the first answer of a new window
HOUR = 3600.0
# A reading whose window resets further away than this is the hourly one: the spike window
# lasts 10 seconds (plan_your_app/rate_limiting.md), the hourly one 60 minutes.
HOURLY_HORIZON = 60.0


@dataclass(frozen=True, slots=True)
class QuotaView:
    """What this client knows of Procore's quota now: the estimates in services start here.

    Procore's headers describe whichever window is nearer exhaustion, which is the 10-second one
    until the hour is nearly spent, so the hourly figures are often unknown (None) until then.
    """

    now: float
    hourly_limit: int | None  # from the last reading of the hourly window, if any
    hourly_left: int | None  # that reading less what was sent since; None if over or unknown
    hourly_reset_at: float | None
    spike_limit: int | None  # from the last reading of the 10-second window, if any
    # Requests this client sent in the last hour, or since the hourly window last reset if that
    # is more recent, and the earliest of them: how much of the hour is probably spent.
    sent_last_hour: int
    first_sent_at: float | None


@dataclass(frozen=True, slots=True)
class PacingStats:
    """How often and how long the pacer held requests back (for the benchmark and the log)."""

    pauses: int = 0
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class _Pause:
    seconds: float
    reason: str  # "" when the pause is too short to mention
    retry: bool  # True: nothing was left, ask again afterwards; False: the turn is taken
    until: float  # the moment the pause ends


def _clock_text(moment: float) -> str:
    return time.strftime("%H:%M", time.localtime(moment))


class Pacer:
    """Shared by every request of one client; thread-safe. `enabled=False` never waits."""

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        *,
        enabled: bool = True,
        max_wait: float = 3700.0,
    ) -> None:
        self.enabled = enabled
        self._clock = clock
        self._max_wait = max_wait
        self._lock = threading.Lock()
        self._answered = threading.Condition(self._lock)
        self._sent = 0  # requests sent so far; each one's number is its ticket
        self._in_flight = 0
        self._limit: int | None = None
        self._left: int | None = None  # estimate: the reading, less what was sent after it
        self._reset_at: float | None = None
        self._reading_remaining: int | None = None  # what the held reading said
        self._probing = False  # the held window ended and no reading came since
        self._probe: int | None = None  # the ticket sent first since then, not answered yet
        self._silent: list[int] = []  # tickets that ended without a reading since the last one
        self._next_slot = 0.0
        self._pauses = 0
        self._paused = 0.0
        self._sent_at: deque[float] = deque()  # send times of the last hour, for estimates
        self._hourly: tuple[int | None, int, float, int] | None = None  # limit, left, reset, ticket
        self._spike_limit: int | None = None

    @property
    def stats(self) -> PacingStats:
        with self._lock:
            return PacingStats(self._pauses, self._paused)

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    @property
    def estimate(self) -> int | None:
        """Requests believed left in the current window; None when unknown."""
        with self._lock:
            if self._reset_at is None or self._clock() >= self._reset_at:
                return None
            return self._left

    def quota(self) -> QuotaView:
        with self._lock:
            now = self._clock()
            self._forget_before(now - HOUR)
            limit = left = reset = None
            since = now - HOUR
            if self._hourly is not None:
                limit, reading_left, reset_at, ticket = self._hourly
                if now < reset_at:
                    left, reset = max(0, reading_left - (self._sent - ticket)), reset_at
                else:
                    since = max(since, reset_at)  # a new hourly window began then
            window = [moment for moment in self._sent_at if moment >= since]
            return QuotaView(
                now=now,
                hourly_limit=limit,
                hourly_left=left,
                hourly_reset_at=reset,
                spike_limit=self._spike_limit,
                sent_last_hour=len(window),
                first_sent_at=window[0] if window else None,
            )

    def before_send(self, wait: Wait) -> int:
        """Wait for a turn to send (through `wait`); returns the ticket for `after_answer`."""
        while True:
            with self._lock:
                pause = self._plan(self._clock())
                deadline = time.monotonic() + PROBE_MAX
                while pause is None and self._probe is not None:
                    # A new window, and its first request is out: wait for what it says.
                    if not self._answered.wait(deadline - time.monotonic()):
                        break
                    pause = self._plan(self._clock())
                ticket = self._take_turn() if pause is None or not pause.retry else None
                if ticket is not None and self._probing and self._probe is None:
                    self._probe = ticket
                if pause is not None:
                    self._pauses += 1
                    self._paused += pause.seconds
            if pause is None:
                assert ticket is not None
                return ticket
            try:
                wait(pause.reason, pause.seconds)
            except BaseException:
                if ticket is not None:
                    self.after_answer(ticket, None)
                raise
            if ticket is not None:
                return ticket
            self.waited_until(pause.until)

    def waited_until(self, moment: float) -> None:
        """Someone waited until `moment` on purpose: a window that ended by then is over."""
        with self._lock:
            if self._reset_at is not None and self._reset_at <= moment:
                self._window_over()

    def after_answer(self, ticket: int, reading: RateLimitStatus | None) -> None:
        """The request with `ticket` is over; `reading` is what its answer said, if anything."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            if ticket == self._probe:
                self._probe = None  # the next request goes first if this one said nothing
                self._answered.notify_all()
            if reading is None or reading.remaining is None or reading.reset_at is None:
                self._silent.append(ticket)  # it may have been counted all the same
                del self._silent[:-_SILENT_KEPT]  # a server that never says stays bounded
                return
            now = self._clock()
            self._note_window(reading, ticket, now)
            # Whatever is still in flight, sent before or after this request, may not be
            # counted in `remaining` yet; nor what ended after it without a reading.
            left = reading.remaining - self._in_flight - len(self._silent)
            if self._left is not None and self._reset_at is not None and now < self._reset_at:
                if reading.reset_at == self._reset_at and reading.limit == self._limit:
                    # The same window: Procore counted this request before the held one when
                    # it says more are left, whatever order the answers came back in.
                    if self._reading_remaining is not None and (
                        reading.remaining >= self._reading_remaining
                    ):
                        return
                elif left >= self._left:
                    return  # another window, further from exhaustion than the held one
            self._silent = [t for t in self._silent if t > ticket]
            self._reading_remaining = reading.remaining
            self._probing = False
            self._limit = reading.limit
            self._reset_at = reading.reset_at
            self._left = left

    # -- inside the lock ------------------------------------------------------------------------

    def _note_window(self, reading: RateLimitStatus, ticket: int, now: float) -> None:
        """Which window a reading describes, kept for the estimates (not for pacing)."""
        remaining, reset_at = reading.remaining, reading.reset_at
        if remaining is None or reset_at is None:
            return
        if reset_at - now > HOURLY_HORIZON:
            held = self._hourly
            if held is None or ticket > held[3] or now >= held[2]:
                self._hourly = (reading.limit, remaining, reset_at, ticket)
        elif reading.limit is not None:
            self._spike_limit = reading.limit

    def _window_over(self) -> None:
        if self._left is not None:
            self._left = None
            self._probing = self.enabled

    def _forget_before(self, moment: float) -> None:
        while self._sent_at and self._sent_at[0] < moment:
            self._sent_at.popleft()

    def _take_turn(self) -> int:
        now = self._clock()
        self._forget_before(now - HOUR)
        self._sent_at.append(now)
        self._sent += 1
        self._in_flight += 1
        if self._left is not None:
            self._left -= 1
        return self._sent

    def _wait_for_reset(self, now: float, to_reset: float) -> _Pause | None:
        seconds = to_reset + RESET_MARGIN
        if seconds > self._max_wait:
            return None  # too long to hold back: Procore's own 429 will say so plainly
        resume = _clock_text(now + seconds)
        reason = f"Procore limit reached; resuming at {resume}"
        return _Pause(seconds, reason, retry=True, until=now + seconds)

    def _plan(self, now: float) -> _Pause | None:
        """None to send now, or how long to hold back first."""
        if not self.enabled or self._left is None or self._reset_at is None:
            return None
        to_reset = self._reset_at - now
        if to_reset <= 0:
            self._window_over()  # that window is over; the next answer tells about the new one
            return None
        if self._left <= 0:
            return self._wait_for_reset(now, to_reset)
        low = max(LOW_FLOOR, math.ceil(LOW_SHARE * (self._limit or 0)), self._in_flight)
        if self._left > low:
            return None
        slot = max(now, self._next_slot)
        if slot >= self._reset_at:
            # The turns already given out reach the reset: wait for the new window and ask
            # again, rather than hold a turn past it (with the hour's last requests spread over
            # the rest of the hour, such a turn once held a project half an hour too long).
            self._next_slot = 0.0
            return self._wait_for_reset(now, to_reset)
        self._next_slot = slot + (self._reset_at - slot) / self._left
        if slot <= now:
            return None
        seconds = slot - now
        reason = ""
        if seconds >= REPORT_SPREAD_OVER:
            reason = (
                f"Close to Procore's request limit; slowing down until "
                f"{_clock_text(self._reset_at)}"
            )
        return _Pause(seconds, reason, retry=False, until=slot)
