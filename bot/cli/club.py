"""`python -m bot club create | list | edit ID | cancel-session ID WEEK | cancel ID`.

Times are typed in local time (TIMEZONE, Europe/Copenhagen by default) and stored in UTC. The
CLI only writes the database: the running bot's sweeps arm the reminders, tell members of a
change or cancellation and offer free seats to the waitlist within about 10 s. A bad argument
or an unknown id is one line "club: …" and exit 2; everything is printed in English."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.cli.usage import (
    argument_type,
    day_argument,
    local_time_argument,
    one_line_errors,
    usage_error,
)
from bot.clock import SystemClock
from bot.config import SUPPORTED_LOCALES, Settings
from bot.db_open import open_database
from bot.features.clubs.model import DEFAULT_CAPACITY, DEFAULT_MINUTES, DEFAULT_WEEKS
from bot.features.clubs.planning import (
    Change,
    ClubPlanner,
    checked_weeks,
    joined_after_utc,
)
from bot.features.clubs.storage import ClubStore, NewClub
from bot.features.webinars.planning import (
    PlanningError,
    checked_capacity,
    checked_link,
    checked_minutes,
    checked_title,
)
from bot.local_time import local_text

T = TypeVar("T")
COMMAND = "club"
_title = argument_type(checked_title, PlanningError)
_minutes = argument_type(checked_minutes, PlanningError)
_link = argument_type(checked_link, PlanningError)
_positive = argument_type(checked_capacity, PlanningError)
_weeks = argument_type(checked_weeks, PlanningError)
_WHEN = "\"YYYY-MM-DD HH:MM\""


def add_parser(sub: Any) -> None:
    """`club` and its actions, on the main parser's sub-commands."""
    club = sub.add_parser("club", help="job clubs: create | list | edit ID | cancel-session ID "
                          "WEEK | cancel ID")
    club.set_defaults(handler=_no_action)
    actions = club.add_subparsers(title="actions", parser_class=one_line_errors(club, COMMAND))
    create = actions.add_parser("create", help="a club of weekly meetings; prints its id")
    create.add_argument("--title-da", required=True, type=_title)
    create.add_argument("--title-en", required=True, type=_title)
    create.add_argument("--consultant", required=True, type=_positive, metavar="USER_ID",
                        help="Telegram user id of the consultant who leads it")
    create.add_argument("--start", required=True, type=local_time_argument, metavar=_WHEN,
                        help="the first meeting, local time; the others follow weekly")
    create.add_argument("--weeks", type=_weeks, default=DEFAULT_WEEKS,
                        help=f"number of meetings (default {DEFAULT_WEEKS})")
    create.add_argument("--minutes", type=_minutes, default=DEFAULT_MINUTES,
                        help=f"length of each meeting (default {DEFAULT_MINUTES})")
    create.add_argument("--capacity", type=_positive, default=DEFAULT_CAPACITY,
                        help=f"seats (default {DEFAULT_CAPACITY})")
    create.add_argument("--link", type=_link, help="Teams/Meet/Zoom link (may come later with "
                        "`club edit`); shown only in the last reminder")
    create.add_argument("--lang", choices=SUPPORTED_LOCALES, default="da",
                        help="the language of the meetings (default da)")
    create.add_argument("--joined-after", type=day_argument, metavar="YYYY-MM-DD",
                        help="only for citizens who joined on or after this day")
    create.add_argument("--label", help="only for citizens invited with this invite label")
    create.set_defaults(handler=create_club)
    actions.add_parser("list", help="clubs with seats taken / capacity / waitlist, and their "
                       "meetings").set_defaults(handler=list_clubs)
    edit = actions.add_parser("edit", help="a new time (--start: the next meeting, and the later "
                              "ones by as much) or a new link; members are told")
    edit.add_argument("id", type=_positive)
    edit.add_argument("--start", type=local_time_argument, metavar=_WHEN)
    edit.add_argument("--link", type=_link)
    edit.set_defaults(handler=edit_club)
    cancel_session = actions.add_parser("cancel-session", help="call off one meeting (by its "
                                        "week number, as `club list` shows); members are told")
    cancel_session.add_argument("id", type=_positive)
    cancel_session.add_argument("week", type=_positive)
    cancel_session.set_defaults(handler=cancel_session_command)
    cancel = actions.add_parser("cancel", help="call off the whole club; members are told and "
                                "offered the next club")
    cancel.add_argument("id", type=_positive)
    cancel.set_defaults(handler=cancel_club)


def _no_action(settings: Settings, args: argparse.Namespace) -> int:
    return usage_error(COMMAND, "choose create, list, edit ID, cancel-session ID WEEK or "
                       "cancel ID")


def create_club(settings: Settings, args: argparse.Namespace) -> int:
    new = NewClub(args.title_da, args.title_en, args.consultant, args.capacity, args.lang,
                  args.minutes, args.link, joined_after_utc(args.joined_after, settings.timezone),
                  (args.label or "").strip() or None)
    return _run(settings, lambda planner: planner.create(new, args.start, args.weeks, "cli"),
                str)


def edit_club(settings: Settings, args: argparse.Namespace) -> int:
    if args.start is None and args.link is None:
        return usage_error(COMMAND, "edit needs --start or --link")

    def said(change: Change) -> str:
        parts = [f"{change.moved} meeting(s) moved"] if change.moved else []
        parts += ["link changed"] if change.link_changed else []
        return f"Club #{args.id}: {', '.join(parts) or 'nothing changed'}."

    return _run(settings, lambda planner: planner.edit(args.id, args.start, args.link), said)


def cancel_session_command(settings: Settings, args: argparse.Namespace) -> int:
    return _run(settings, lambda planner: planner.cancel_session(args.id, args.week),
                lambda session: f"Club #{args.id}: meeting {session.number} "
                f"({local_text(session.starts_at, settings.timezone)}) cancelled.")


def cancel_club(settings: Settings, args: argparse.Namespace) -> int:
    return _run(settings, lambda planner: planner.cancel(args.id),
                lambda cancelled: f"Club #{args.id}: cancelled, {cancelled} meeting(s) to come.")


def list_clubs(settings: Settings, args: argparse.Namespace) -> int:
    for line in asyncio.run(_list_lines(settings)):
        print(line)
    return 0


async def _list_lines(settings: Settings) -> list[str]:
    zone = settings.timezone
    db = await open_database(settings)
    try:
        store = ClubStore(db)
        lines = []
        for club in await store.clubs():
            seats = await store.seats(club.id)
            extra = [f"label {club.invite_label}"] if club.invite_label else []
            extra += [f"joined after {local_text(club.joined_after, zone)[:10]}"
                      ] if club.joined_after else []
            extra += ["no link yet"] if club.link is None else []
            extra += ["cancelled"] if club.cancelled else []
            lines.append(" · ".join([
                f"#{club.id} {club.title_da} / {club.title_en}", club.locale,
                f"consultant {club.consultant_id}", f"{club.minutes} min",
                f"seats {seats.taken}/{club.capacity}", f"waitlist {seats.waiting}",
                *([f"offered {seats.offered}"] if seats.offered else []), *extra]))
            for session in await store.sessions(club.id):
                state = " cancelled" if session.cancelled else ""
                lines.append(f"  meeting {session.number}: "
                             f"{local_text(session.starts_at, zone)}{state}")
        return lines or ["no clubs"]
    finally:
        await db.close()


def _run(settings: Settings, work: Callable[[ClubPlanner], Awaitable[T]],
         said: Callable[[T], str]) -> int:
    """One planner action on the database, its result printed; a PlanningError is a usage
    error."""
    async def run() -> T:
        db = await open_database(settings)
        try:
            return await work(ClubPlanner(ClubStore(db), SystemClock(), settings.timezone))
        finally:
            await db.close()

    try:
        print(said(asyncio.run(run())))
    except PlanningError as exc:
        return usage_error(COMMAND, exc)
    return 0
