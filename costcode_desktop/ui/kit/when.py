"""Times as a person reads them: '10:42' today, '12 May 10:42' before; the clock alone
means today."""

from __future__ import annotations

from datetime import datetime


def short_time(moment: datetime, now: datetime | None = None) -> str:
    """In local time: the clock alone today, with the day before, and the year if not this one."""
    local = moment.astimezone()
    today = (now or datetime.now()).astimezone()
    clock = f"{local:%H:%M}"
    if local.date() == today.date():
        return clock
    day = f"{local.day} {local:%b}"
    if local.year != today.year:
        return f"{day} {local.year}"
    return f"{day} {clock}"


def day_or_time(moment: datetime, now: datetime | None = None) -> str:
    """Narrower, for a table cell: '10:42' today, '12 May' before (the tooltip says more)."""
    local = moment.astimezone()
    today = (now or datetime.now()).astimezone()
    if local.date() == today.date():
        return f"{local:%H:%M}"
    day = f"{local.day} {local:%b}"
    return day if local.year == today.year else f"{day} {local.year}"


def long_time(moment: datetime, now: datetime | None = None) -> str:
    """For a sentence: '10:42 today', '10:42 on 12 May 2025'."""
    local = moment.astimezone()
    today = (now or datetime.now()).astimezone()
    if local.date() == today.date():
        return f"{local:%H:%M} today"
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"
