"""`python -m bot report feedback [--csv FILE]`: feedback on applications and CVs – drafts
received and answered, the median and 90th percentile turnaround in working days, turnaround
in buckets (< 1 working day, 1–2, 2–5, > 5), overdue drafts and ratings; overall, per
consultant (the drafts they took) and per week (of arrival). Printed and written as
bot/cli/report.py does (CSV: UTF-8 with BOM, `;`)."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import SystemClock, from_db
from bot.config import Settings
from bot.db_open import open_database
from bot.features.drafts.storage import DraftStore
from bot.features.drafts.workdays import working_days_between
from bot.features.staff.storage import StaffStore

COLUMNS = ("scope", "received", "answered", "median_working_days", "p90_working_days",
           "under_1_day", "1_to_2_days", "2_to_5_days", "over_5_days", "overdue", "rated",
           "average_rating")


@dataclass(frozen=True, slots=True)
class _Row:
    received: datetime
    due: datetime
    taken_by: int | None
    answered: datetime | None
    rating: int | None


async def feedback_rows(settings: Settings, now: datetime | None = None) -> list[list[str | int]]:
    """One row for all drafts, then one per consultant, then one per week (COLUMNS)."""
    now = now or SystemClock().now()
    db = await open_database(settings)
    try:
        rows = [_Row(from_db(r["received_at"]), from_db(r["due_at"]), r["taken_by"],
                     from_db(r["answered_at"]) if r["answered_at"] else None, r["rating"])
                for r in await DraftStore(db).report_rows()]
        staff = StaffStore(db)
        names = {uid: await staff.name(uid) for uid in {r.taken_by for r in rows} if uid}
    finally:
        await db.close()
    zone = settings.timezone
    by_consultant: dict[int, list[_Row]] = defaultdict(list)
    by_week: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        if row.taken_by is not None:
            by_consultant[row.taken_by].append(row)
        year, week, _day = row.received.astimezone(zone).isocalendar()
        by_week[f"{year}-W{week:02d}"].append(row)
    table = [_figures("all", rows, now, zone)]
    table += [_figures(f"consultant {uid} {names.get(uid) or ''}".rstrip(), group, now, zone)
              for uid, group in sorted(by_consultant.items())]
    table += [_figures(f"week {week}", group, now, zone)
              for week, group in sorted(by_week.items())]
    return table


def _figures(scope: str, rows: list[_Row], now: datetime, zone: ZoneInfo) -> list[str | int]:
    days = sorted(working_days_between(r.received, r.answered, zone) for r in rows
                  if r.answered is not None)
    buckets = [sum(1 for d in days if d < 1), sum(1 for d in days if 1 <= d < 2),
               sum(1 for d in days if 2 <= d <= 5), sum(1 for d in days if d > 5)]
    overdue = sum(1 for r in rows if (r.answered or now) > r.due)
    ratings = [r.rating for r in rows if r.rating is not None]
    return [scope, len(rows), len(days), _number(statistics.median(days) if days else None),
            _number(_percentile(days, 0.9)), *buckets, overdue, len(ratings),
            _number(statistics.fmean(ratings) if ratings else None)]


def _percentile(values: Iterable[float], share: float) -> float | None:
    """Nearest rank: the smallest value with at least `share` of them at or below it."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"
