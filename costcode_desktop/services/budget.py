"""How many requests a run needs and how long Procore's limits make it take, in plain words.

Procore's rate-limiting page (plan_your_app/rate_limiting.md, January 2026) gives 600 requests an
hour and 25 per 10 seconds as its example limits and tells apps not to assume 3,600 an hour. The
answers' headers describe whichever window is nearer exhaustion, which is the 10-second one until
the hour is nearly spent, so the hourly limit is usually not known up front: the estimate plans
with the published 600 until a header has said otherwise, and counts this client's own requests
of the last hour as spent. The window and `costcode-sync` show these estimates; they never work
them out themselves.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from costcode_desktop.costcodes import Comparison, plan_refresh, plural
from costcode_desktop.procore.limits import COST_CODES_PAGE_SIZE, SYNC_BATCH_SIZE
from costcode_desktop.procore.pacing import QuotaView
from costcode_desktop.procore.records import Project

from .company import CompanyList, refusal_reason

if TYPE_CHECKING:  # annotations only: the client brings httpx
    from costcode_desktop.procore import ProcoreClient

PLANNING_HOURLY = 600  # Procore's example hourly limit, until a header gives the real one
PLANNING_SPIKE = 25  # Procore's example spike limit...
SPIKE_WINDOW = 10.0  # ...per this many seconds
HOUR = 3600.0
UNREAD_REFRESH = (
    6  # a project nothing is known of: detail, codes, permission, copy, sync, read-back
)


@dataclass(frozen=True)
class Estimate:
    """A run's requests and the time Procore's limits make it take."""

    requests: int
    hourly_limit: int  # as a header said, or PLANNING_HOURLY
    left_this_hour: int  # requests believed left in the current hourly window
    seconds: float

    @property
    def fits(self) -> bool:
        """The requests fit in what is left of this hour's quota."""
        return self.requests <= self.left_this_hour

    @property
    def duration(self) -> str:
        """'less than a minute', 'about 35 minutes', 'about 1 hour 5 minutes'."""
        return duration_text(self.seconds)

    @property
    def text(self) -> str:
        """The up-front sentence: requests, Procore's hourly limit, and how long."""
        about = f"About {plural(self.requests, 'request')}"
        if self.fits:
            return (
                f"{about}, within Procore's limit of {self.hourly_limit:,} an hour: "
                f"{self.duration}."
            )
        return (
            f"{about}; Procore allows {self.hourly_limit:,} an hour and about "
            f"{self.left_this_hour:,} are left this hour, so this takes {self.duration}."
        )

    @property
    def left_text(self) -> str:
        """While it runs: 'about 35 minutes left'."""
        return f"{self.duration} left"


def duration_text(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return f"about {plural(minutes, 'minute')}"
    hours, rest = divmod(minutes, 60)
    text = f"about {plural(hours, 'hour')}"
    return f"{text} {plural(rest, 'minute')}" if rest else text


def estimate(requests: int, quota: QuotaView) -> Estimate:
    """How long `requests` take from now within the quota as `quota` knows it.

    The 10-second limit sets the pace while the hour lasts; once the hour's quota is spent the
    rest waits for the hourly window to reset (as the client's pacing does), an hour at a time.
    """
    hourly = quota.hourly_limit or PLANNING_HOURLY
    spike = quota.spike_limit or PLANNING_SPIKE
    per_request = SPIKE_WINDOW / max(1, spike)
    if quota.hourly_left is not None and quota.hourly_reset_at is not None:
        left, reset_at = quota.hourly_left, quota.hourly_reset_at
    else:
        left = max(0, hourly - quota.sent_last_hour)
        start = quota.first_sent_at if quota.first_sent_at is not None else quota.now
        reset_at = start + HOUR
    if requests <= left:
        seconds = requests * per_request
    else:
        later = requests - left
        hours = (later - 1) // hourly  # whole windows after the next reset
        seconds = max(left * per_request, reset_at - quota.now) + hours * HOUR
        seconds += (later - hours * hourly) * per_request
    return Estimate(requests, hourly, left, seconds)


def refresh_requests(
    company_list: CompanyList,
    project: Project,
    comparison: Comparison | None,
    *,
    permission: bool | None,
    permission_known: bool,
) -> int:
    """The requests a refresh of `project` sends, when it starts from `comparison` (None: reads
    the project's codes first) with the permission answer kept so far."""
    if not project.needs_detail and refusal_reason(project, company_list) is not None:
        return 0
    if comparison is None:
        return UNREAD_REFRESH - (0 if project.needs_detail else 1)
    plan = plan_refresh(comparison)
    if plan.is_empty or (permission_known and permission is False):
        return 0
    codes = sum(1 for row in comparison.rows if row.project is not None) + len(plan.to_add)
    return (
        (0 if permission_known else 1)
        + (1 if plan.to_add else 0)
        + math.ceil(len(plan.updates) / SYNC_BATCH_SIZE)
        + max(1, math.ceil(codes / COST_CODES_PAGE_SIZE))
    )


def status_requests(company_list: CompanyList, project: Project) -> int:
    """The requests checking a listed project sends: its codes (with the detail read when the
    listing did not say its list or ERP flag), none when it cannot be refreshed anyway."""
    if project.needs_detail:
        return 2
    return 0 if refusal_reason(project, company_list) is not None else 1


def status_estimate(
    client: ProcoreClient, company_list: CompanyList, projects: Iterable[Project]
) -> Estimate:
    """The requests and time of checking these projects (check_projects)."""
    needed = sum(status_requests(company_list, project) for project in projects)
    return estimate(needed, client.quota())
