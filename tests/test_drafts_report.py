"""`python -m bot report feedback`: received, answered, median and 90th percentile turnaround
in working days, the buckets, overdue and ratings; overall, per consultant and per week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.cache import ChangeNotes
from bot.cli.drafts import COLUMNS, feedback_rows
from bot.clock import SystemClock
from bot.config import Settings
from bot.db import Database
from bot.features.citizens import CitizenStore
from bot.features.drafts.model import Form, Kind, NewDraft
from bot.features.drafts.storage import DraftStore
from bot.features.drafts.workdays import add_working_days
from bot.features.staff.storage import StaffStore
from tests.conftest import run_cli

TUESDAY = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


async def make_drafts(path: Path, settings: Settings) -> None:
    db = await Database.open(path)
    try:
        citizens = CitizenStore(db, ChangeNotes.of(db, SystemClock()))
        citizen = await citizens.create(4242, 4242, "da", TUESDAY)
        await StaffStore(db).put(21, "consultant", None, TUESDAY)
        await StaffStore(db).set_name(21, "Mette")
        store = DraftStore(db)
        new = NewDraft(citizen.id, Kind.APPLICATION, "da", Form.TEXT, body="A letter")
        plan = [  # received, taken by, answered after, rating
            (TUESDAY, 21, timedelta(hours=5), 4),  # < 1 working day
            (TUESDAY, 21, timedelta(days=3, hours=3), 2),  # 3.1: after the promised Friday
            (MONDAY, None, None, None),  # still waiting on 10 December: overdue
            (MONDAY, 22, timedelta(days=9), None),  # 7 working days: overdue
        ]
        for received, staff, after, rating in plan:
            due = add_working_days(received, 3, settings.timezone)
            draft = await store.add(new, 1, None, received, due)
            if staff is not None and after is not None:
                await store.take(draft.id, staff, received)
                await store.mark_answered(draft.id, [], received + after)
            if rating is not None:
                await store.rate(draft.id, citizen.id, rating)
    finally:
        await db.close()


async def test_the_figures_overall_per_consultant_and_per_week(tmp_path: Path) -> None:
    settings = Settings(database_path=tmp_path / "t.db")
    await make_drafts(settings.database_path, settings)
    rows = await feedback_rows(settings, now=datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    table = {str(row[0]): dict(zip(COLUMNS, row, strict=True)) for row in rows}
    assert list(table) == ["all", "consultant 21 Mette", "consultant 22", "week 2026-W48",
                           "week 2026-W49"]
    assert [table["all"][c] for c in COLUMNS[1:]] == [4, 3, "3.1", "7.0", 1, 0, 1, 1, 3, 2, "3.0"]
    assert [table["consultant 21 Mette"][c] for c in COLUMNS[1:]] == [
        2, 2, "1.7", "3.1", 1, 0, 1, 0, 1, 2, "3.0"]
    assert [table["consultant 22"][c] for c in COLUMNS[1:]] == [
        1, 1, "7.0", "7.0", 0, 0, 0, 1, 1, 0, ""]
    assert table["week 2026-W48"]["received"] == 2 and table["week 2026-W49"]["answered"] == 1


async def test_the_command_prints_and_writes_a_csv_for_danish_excel(tmp_path: Path) -> None:
    await make_drafts(tmp_path / "t.db", Settings())
    printed = run_cli(tmp_path, "report", "feedback")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.splitlines()[0].startswith("scope all · received 4 · answered 3 · ")
    out = tmp_path / "feedback.csv"
    written = run_cli(tmp_path, "report", "feedback", "--csv", str(out))
    assert written.returncode == 0 and "wrote 5 row(s)" in written.stderr
    content = out.read_bytes()
    assert content.startswith(b"\xef\xbb\xbfscope;received;answered;median_working_days;")
    assert content.decode("utf-8-sig").splitlines()[1].startswith("all;4;3;")
