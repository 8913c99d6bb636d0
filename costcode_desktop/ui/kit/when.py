"""Times (and counts) as a person reads them, in the user's locale (QLocale): the clock alone
means today.

'10:42' today and '06.12.26 10:42' before in German, '10:42 AM' and '12/6/26 10:42 AM' in US
English: the order, the separators and the 12- or 24-hour clock are the locale's.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime

SHORT = QLocale.FormatType.ShortFormat


def short_time(moment: datetime, now: datetime | None = None) -> str:
    """In local time: the clock alone today, with the date before."""
    local = moment.astimezone()
    if _today(local, now):
        return locale_time(local)
    return locale_date_time(local)


def day_or_time(moment: datetime, now: datetime | None = None) -> str:
    """Narrower, for a table cell: the clock today, the date before (the tooltip says more)."""
    local = moment.astimezone()
    return locale_time(local) if _today(local, now) else QLocale().toString(_qdate(local), SHORT)


def long_time(moment: datetime, now: datetime | None = None) -> str:
    """For a sentence: '10:42 today', '10:42 on 12/5/25'."""
    local = moment.astimezone()
    if _today(local, now):
        return f"{locale_time(local)} today"
    return f"{locale_time(local)} on {QLocale().toString(_qdate(local), SHORT)}"


def locale_time(moment: datetime) -> str:
    """The clock as the user's locale writes it ('10:42', '10:42 AM')."""
    return QLocale().toString(_qtime(moment.astimezone()), SHORT)


def locale_date_time(moment: datetime) -> str:
    """Date and time as the user's locale writes them: a table cell, the Details box."""
    local = moment.astimezone()
    return QLocale().toString(QDateTime(_qdate(local), _qtime(local)), SHORT)


def locale_number(count: int) -> str:
    """A count with the locale's group separator: '1,234', '1.234' in German."""
    return QLocale().toString(count)


def _today(local: datetime, now: datetime | None) -> bool:
    return local.date() == (now or datetime.now()).astimezone().date()


def _qdate(local: datetime) -> QDate:
    return QDate(local.year, local.month, local.day)


def _qtime(local: datetime) -> QTime:
    return QTime(local.hour, local.minute, local.second)
