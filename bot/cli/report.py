"""`python -m bot report webinars [--csv FILE]`: per webinar session, who was invited, who
answered what, who was reminded, who took part and who asked for feedback afterwards;
`report clubs` the same for job club meetings (bot/cli/club_report.py), `report feedback` the
figures of feedback on applications and CVs (bot/cli/drafts.py).

The CSV is UTF-8 with a byte order mark and `;` between fields, so Danish Excel opens it as
it is. The path is checked first, and the file is written whole to a temporary file beside it
and renamed into place, so a failure never leaves half a report (as bot/cli/invite.py does)."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot.cli import club_report, drafts
from bot.cli.output_file import csv_path_problem
from bot.config import Settings
from bot.db_open import open_database
from bot.features.webinars.storage import WebinarStore
from bot.local_time import local_text

EXIT_USAGE = 2
COLUMNS = ("webinar", "session", "title", "starts", "status", "invited", "delivered", "yes",
           "maybe", "no", "waitlisted", "reminded", "attended", "feedback_requests")


def add_parser(sub: Any) -> None:
    report = sub.add_parser("report", help="reports: webinars | clubs | feedback")
    report.add_argument("what", choices=["webinars", "clubs", "feedback"])
    report.add_argument("--csv", type=Path, metavar="FILE",
                        help="write it as CSV (UTF-8 with BOM, ';') for Excel")
    report.set_defaults(handler=report_command)


def report_command(settings: Settings, args: argparse.Namespace) -> int:
    if args.csv is not None and (problem := csv_path_problem(args.csv)) is not None:
        print(f"report: --csv {args.csv}: {problem}", file=sys.stderr)
        return EXIT_USAGE
    columns, rows = ((COLUMNS, asyncio.run(webinar_rows(settings))) if args.what == "webinars"
                     else (drafts.COLUMNS, asyncio.run(drafts.feedback_rows(settings)))
                     if args.what == "feedback"
                     else (club_report.COLUMNS, asyncio.run(club_report.club_rows(settings))))
    if args.csv is None:
        for row in rows:
            print(" · ".join(f"{column} {value}" for column, value in zip(columns, row,
                                                                           strict=True)))
        return 0
    try:
        write_csv(args.csv, rows, columns)
    except OSError as exc:
        print(f"report: --csv {args.csv}: cannot write it ({exc.strerror or exc})",
              file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {len(rows)} {'row' if args.what == 'feedback' else 'session'}(s) to "
          f"{args.csv}", file=sys.stderr)
    return 0


async def webinar_rows(settings: Settings) -> list[list[str | int]]:
    """One row per session (COLUMNS)."""
    db = await open_database(settings)
    try:
        store = WebinarStore(db)
        counts = await store.session_counts()
        invitations = await store.invitations()
    finally:
        await db.close()
    rows: list[list[str | int]] = []
    for c in counts:
        session = c.session
        invited, delivered = invitations.get(session.id, (0, 0))
        rows.append([session.webinar.id, session.id, session.webinar.title_da,
                     local_text(session.starts_at, settings.timezone),
                     "cancelled" if session.cancelled else "planned", invited, delivered,
                     c.yes, c.maybe, c.no, c.waitlisted, c.reminded, c.attended, c.feedback])
    return rows


def csv_bytes(rows: list[list[str | int]], columns: tuple[str, ...] = COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def write_csv(path: Path, rows: list[list[str | int]],
              columns: tuple[str, ...] = COLUMNS) -> None:
    """All or nothing: a temporary file in the same folder, renamed into place."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    pending = Path(name)
    try:
        with open(fd, "wb") as fh:
            fh.write(csv_bytes(rows, columns))
        os.replace(pending, path)
    finally:
        pending.unlink(missing_ok=True)
