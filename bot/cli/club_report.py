"""`python -m bot report clubs [--csv FILE]`: per job club meeting, the club's fill rate,
waitlist, waiting time, drop-outs and evaluation scores (how many were asked and answered, the
mean, how many gave each score; never the comments), and the meeting's "can't come", attended
and missed."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from bot.config import Settings
from bot.db_open import open_database
from bot.features.clubs.storage import ClubEvaluationStore, ClubStore, EvaluationCounts
from bot.local_time import local_text

COLUMNS = ("club", "meeting", "title", "starts", "status", "capacity", "members", "fill_rate",
           "waitlist", "avg_wait_days", "dropped_out", "cant_come", "attended", "missed",
           "evaluations_asked", "evaluations", "mean_score", "score_1", "score_2", "score_3",
           "score_4", "score_5")
NO_EVALUATIONS = EvaluationCounts(0, 0, None, (0, 0, 0, 0, 0))


async def club_rows(settings: Settings) -> list[list[str | int]]:
    """One row per meeting (COLUMNS); the club's numbers repeat on each of its meetings."""
    db = await open_database(settings)
    try:
        store = ClubStore(db)
        counts = await store.session_counts()
        waits: dict[int, list[timedelta]] = defaultdict(list)
        for club_id, since, seated in await store.waits():
            waits[club_id].append(seated - since)
        evaluations = await ClubEvaluationStore(db).counts()
    finally:
        await db.close()
    rows: list[list[str | int]] = []
    for c in counts:
        session, club = c.session, c.session.club
        waited = waits.get(club.id)
        average = (f"{sum(waited, timedelta()) / len(waited) / timedelta(days=1):.1f}"
                   if waited else "")
        status = "cancelled" if session.cancelled or club.cancelled else "planned"
        scores = evaluations.get(club.id, NO_EVALUATIONS)
        mean = f"{scores.mean:.1f}" if scores.mean is not None else ""
        rows.append([club.id, session.number, club.title_da,
                     local_text(session.starts_at, settings.timezone), status, club.capacity,
                     c.members, f"{c.members / club.capacity:.0%}", c.waiting, average,
                     c.dropped, c.cant_come, c.attended, c.missed, scores.asked,
                     scores.scored, mean, *scores.per_score])
    return rows
