"""Moments as the database stores them: ISO-8601 UTC to the second, cut, never rounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from bot.clock import from_db, to_db

ZONES = st.sampled_from([UTC, timezone(timedelta(hours=1)),
                         timezone(timedelta(hours=-9, minutes=-30))])


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=ZONES))
def test_the_text_is_the_utc_second_the_moment_falls_in(moment: datetime) -> None:
    assert to_db(moment) == moment.astimezone(UTC).isoformat(timespec="seconds")
    assert from_db(to_db(moment)) == moment.replace(microsecond=0)


def test_the_last_microsecond_of_a_second_still_belongs_to_it() -> None:
    assert to_db(datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)) == \
        "2026-12-31T23:59:59+00:00"
    assert to_db(datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)) == \
        "9999-12-31T23:59:59+00:00"
    assert to_db(datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC)) == \
        "1969-12-31T23:59:59+00:00"


def test_a_naive_moment_is_read_as_local_time() -> None:
    naive = datetime(2026, 6, 1, 12, 30, 15, 250_000)
    assert to_db(naive) == naive.astimezone(UTC).isoformat(timespec="seconds")
