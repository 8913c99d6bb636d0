"""Estimates of requests and time within Procore's limits, as the window and the CLI show them."""

from __future__ import annotations

import pytest

from costcode_desktop.procore import QuotaView
from costcode_desktop.services.budget import duration_text, estimate

NOW = 1_800_000_000.0


def quota(**known: object) -> QuotaView:
    fields: dict[str, object] = {
        "now": NOW,
        "hourly_limit": None,
        "hourly_left": None,
        "hourly_reset_at": None,
        "spike_limit": None,
        "sent_last_hour": 0,
        "first_sent_at": None,
    }
    fields.update(known)
    return QuotaView(**fields)  # type: ignore[arg-type]


def test_within_the_hour_the_ten_second_window_sets_the_pace() -> None:
    found = estimate(100, quota())
    assert found.fits
    assert found.hourly_limit == 600, "Procore's published example, until a header says"
    assert found.seconds == pytest.approx(40)  # 25 per 10 s
    assert found.text == (
        "About 100 requests, within Procore's limit of 600 an hour: about 1 minute."
    )


def test_what_this_client_sent_in_the_last_hour_counts_as_spent() -> None:
    found = estimate(300, quota(sent_last_hour=306, first_sent_at=NOW - 600))
    assert not found.fits
    assert found.left_this_hour == 294
    # 294 now, then the wait for the window opened 10 minutes ago to reset, then 6 more.
    assert found.seconds == pytest.approx(3000 + 6 * 0.4)
    assert found.text == (
        "About 300 requests; Procore allows 600 an hour and about 294 are left this hour, "
        "so this takes about 50 minutes."
    )
    assert found.left_text == "about 50 minutes left"


def test_an_hourly_reading_is_believed_over_the_count() -> None:
    found = estimate(
        50,
        quota(
            hourly_limit=1000,
            hourly_left=20,
            hourly_reset_at=NOW + 900,
            spike_limit=50,
            sent_last_hour=3,
        ),
    )
    assert (found.hourly_limit, found.left_this_hour) == (1000, 20)
    assert found.seconds == pytest.approx(900 + 30 * 0.2)


def test_several_hours() -> None:
    found = estimate(1500, quota())
    assert found.seconds == pytest.approx(2 * 3600 + 300 * 0.4)
    assert found.duration == "about 2 hours 2 minutes"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (10, "less than a minute"),
        (60, "about 1 minute"),
        (35 * 60, "about 35 minutes"),
        (3600, "about 1 hour"),
        (3900, "about 1 hour 5 minutes"),
    ],
)
def test_durations_in_words(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text
