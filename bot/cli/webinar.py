"""`python -m bot webinar create | list | change ID | cancel ID | invite ID`.

Times are typed in local time (TIMEZONE, Europe/Copenhagen by default) and stored in UTC. The
CLI only writes the database: the running bot's sweep arms the reminders and tells citizens of
a change or cancellation within about 10 s. A bad argument or an unknown id is one line
"webinar: …" and exit 2; everything is printed in English (bot/cli/usage.py)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from bot.cli.broadcast import add_segment_arguments, queue, segment_draft
from bot.cli.usage import (
    UsageError,
    argument_type,
    day_argument,
    local_time_argument,
    one_line_errors,
    usage_error,
)
from bot.clock import SystemClock
from bot.config import Settings
from bot.db_open import open_database
from bot.features.webinars.planning import (
    PlanningError,
    Repeat,
    WebinarPlanner,
    checked_capacity,
    checked_link,
    checked_minutes,
    checked_title,
)
from bot.features.webinars.storage import NewWebinar, WebinarStore
from bot.local_time import local_text

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.features.broadcasts.model import Draft

T = TypeVar("T")
_title = argument_type(checked_title, PlanningError)
_minutes = argument_type(checked_minutes, PlanningError)
_link = argument_type(checked_link, PlanningError)
_positive = argument_type(checked_capacity, PlanningError)


def add_parser(sub: Any) -> None:
    """`webinar` and its actions, on the main parser's sub-commands."""
    webinar = sub.add_parser("webinar", help="webinars: create | list | change ID | cancel ID | "
                             "invite ID")
    webinar.set_defaults(handler=_no_action)
    actions = webinar.add_subparsers(title="actions",
                                     parser_class=one_line_errors(webinar, "webinar"))
    create = actions.add_parser("create", help="a webinar: one session or a series; prints "
                                "its id")
    create.add_argument("--title-da", required=True, type=_title)
    create.add_argument("--title-en", required=True, type=_title)
    create.add_argument("--at", required=True, type=local_time_argument,
                        metavar="\"YYYY-MM-DD HH:MM\"",
                        help="the (first) session's start, local time")
    create.add_argument("--minutes", required=True, type=_minutes)
    create.add_argument("--link", required=True, type=_link,
                        help="shown to citizens from the reminder on")
    create.add_argument("--capacity", type=_positive, help="seats per session (else no limit)")
    create.add_argument("--repeat", choices=[r.value for r in Repeat])
    create.add_argument("--until", type=day_argument, metavar="YYYY-MM-DD",
                        help="last day of a --repeat series")
    create.add_argument("--recording", type=_link, help="recording or slides, in the follow-up")
    create.set_defaults(handler=create_webinar)
    actions.add_parser("list", help="webinars and their sessions").set_defaults(
        handler=list_webinars)
    change = actions.add_parser("change", help="a new time (--at: the next session, and a "
                                "series' later ones by as much) or a new link")
    change.add_argument("id", type=_positive)
    change.add_argument("--at", type=local_time_argument, metavar="\"YYYY-MM-DD HH:MM\"")
    change.add_argument("--link", type=_link)
    change.set_defaults(handler=change_webinar)
    cancel = actions.add_parser("cancel", help="cancel every session still to come")
    cancel.add_argument("id", type=_positive)
    cancel.set_defaults(handler=cancel_webinar)
    invite = actions.add_parser("invite", help="a broadcast inviting to the next session, with "
                                "its Yes/Maybe/No buttons: prints the preview; with --yes stores "
                                "it and prints its id (the last line)")
    invite.add_argument("id", type=_positive)
    add_segment_arguments(invite)
    invite.set_defaults(handler=invite_webinar)


def _no_action(settings: Settings, args: argparse.Namespace) -> int:
    return usage_error("webinar", "choose create, list, change ID, cancel ID or invite ID")


def create_webinar(settings: Settings, args: argparse.Namespace) -> int:
    new = NewWebinar(args.title_da, args.title_en, args.link, args.recording, args.minutes,
                     args.capacity)
    repeat = Repeat(args.repeat) if args.repeat else None
    return _run(settings, lambda planner: planner.create(new, args.at, repeat, args.until),
                str)


def change_webinar(settings: Settings, args: argparse.Namespace) -> int:
    if args.at is None and args.link is None:
        return usage_error("webinar", "change needs --at or --link")

    def said(change: Any) -> str:
        parts = [f"{change.moved} session(s) moved"] if change.moved else []
        parts += ["link changed"] if change.link_changed else []
        return f"Webinar #{args.id}: {', '.join(parts) or 'nothing changed'}."

    return _run(settings, lambda planner: planner.change(args.id, args.at, args.link), said)


def cancel_webinar(settings: Settings, args: argparse.Namespace) -> int:
    return _run(settings, lambda planner: planner.cancel(args.id),
                lambda cancelled: f"Webinar #{args.id}: {cancelled} session(s) cancelled.")


def invite_webinar(settings: Settings, args: argparse.Namespace) -> int:
    """`broadcast send` with the invitation written from the webinar, in every language, and
    the RSVP buttons of its next session."""
    from bot.features.webinars.service import WebinarService

    async def draft(app: AppContext) -> Draft:
        try:
            texts = await app.get(WebinarService).invitation_texts(args.id)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        return segment_draft(settings, args, f"webinar #{args.id}", texts,
                             (f"rsvp:{args.id}",))

    return queue(settings, args, draft, command="webinar")


def list_webinars(settings: Settings, args: argparse.Namespace) -> int:
    for line in asyncio.run(_list_lines(settings)):
        print(line)
    return 0


async def _list_lines(settings: Settings) -> list[str]:
    zone = settings.timezone
    db = await open_database(settings)
    try:
        store = WebinarStore(db)
        lines = []
        for webinar in await store.webinars():
            capacity = webinar.capacity if webinar.capacity is not None else "no limit"
            cancelled = " · cancelled" if webinar.cancelled_at else ""
            lines.append(f"#{webinar.id} {webinar.title_da} / {webinar.title_en} · "
                         f"{webinar.minutes} min · capacity {capacity}{cancelled}")
            for session in await store.sessions(webinar.id):
                state = " cancelled" if session.cancelled else ""
                lines.append(f"  session {session.id}: {local_text(session.starts_at, zone)}"
                             f"{state}")
        return lines or ["No webinars yet."]
    finally:
        await db.close()


def _run(settings: Settings, work: Callable[[WebinarPlanner], Awaitable[T]],
         said: Callable[[T], str]) -> int:
    """One planner action on the database, and what it did printed; a PlanningError (an
    unknown id too) is a usage error."""
    async def run() -> T:
        db = await open_database(settings)
        try:
            return await work(WebinarPlanner(WebinarStore(db), SystemClock(), settings.timezone))
        finally:
            await db.close()

    try:
        done = asyncio.run(run())
    except PlanningError as exc:
        return usage_error("webinar", exc)
    print(said(done))
    return 0
