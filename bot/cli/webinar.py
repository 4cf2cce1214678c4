"""`python -m bot webinar create | list | change ID | cancel ID | invite ID`.

Times are typed in local time (TIMEZONE, Europe/Copenhagen by default) and stored in UTC. The
CLI only writes the database: the running bot's sweep arms the reminders and tells citizens of
a change or cancellation within about 10 s. A bad argument is one line "webinar: …", exit 2."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from bot.cli.broadcast import UsageError, add_segment_arguments, queue, segment_draft
from bot.clock import SystemClock
from bot.config import Settings
from bot.db import Database
from bot.features.webinars.planning import PlanningError, Repeat, WebinarPlanner
from bot.features.webinars.storage import NewWebinar, WebinarStore

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.features.broadcasts.model import Draft

T = TypeVar("T")
EXIT_USAGE = 2
MAX_MINUTES = 600
MAX_TITLE = 100


def _usage_error(message: str) -> NoReturn:
    print(f"webinar: {message}", file=sys.stderr)
    sys.exit(EXIT_USAGE)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        _usage_error(message)


def _local_time(raw: str) -> datetime:
    try:
        return datetime.strptime(raw.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected \"YYYY-MM-DD HH:MM\", got {raw!r}") from None


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {raw!r}") from None


def _link(raw: str) -> str:
    link = raw.strip()
    if not link.startswith(("https://", "http://")) or " " in link:
        raise argparse.ArgumentTypeError(f"expected an http(s):// link, got {raw!r}")
    return link


def _positive(raw: str) -> int:
    if not raw.strip().isdigit() or int(raw) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {raw!r}")
    return int(raw)


def add_parser(sub: Any) -> None:
    """`webinar` and its actions, on the main parser's sub-commands."""
    webinar = sub.add_parser("webinar", help="webinars: create | list | change ID | cancel ID | "
                             "invite ID")
    webinar.error = _usage_error  # type: ignore[method-assign]
    webinar.set_defaults(handler=_no_action)
    actions = webinar.add_subparsers(title="actions", parser_class=_Parser)
    create = actions.add_parser("create", help="a webinar: one session or a series; prints "
                                "its id")
    create.add_argument("--title-da", required=True)
    create.add_argument("--title-en", required=True)
    create.add_argument("--at", required=True, type=_local_time, metavar="\"YYYY-MM-DD HH:MM\"",
                        help="the (first) session's start, local time")
    create.add_argument("--minutes", required=True, type=_positive)
    create.add_argument("--link", required=True, type=_link,
                        help="shown to citizens from the reminder on")
    create.add_argument("--capacity", type=_positive, help="seats per session (else no limit)")
    create.add_argument("--repeat", choices=[r.value for r in Repeat])
    create.add_argument("--until", type=_day, metavar="YYYY-MM-DD",
                        help="last day of a --repeat series")
    create.add_argument("--recording", type=_link, help="recording or slides, in the follow-up")
    create.set_defaults(handler=create_webinar)
    actions.add_parser("list", help="webinars and their sessions").set_defaults(
        handler=list_webinars)
    change = actions.add_parser("change", help="a new time (--at: the next session, and a "
                                "series' later ones by as much) or a new link")
    change.add_argument("id", type=_positive)
    change.add_argument("--at", type=_local_time, metavar="\"YYYY-MM-DD HH:MM\"")
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
    _usage_error("choose create, list, change ID, cancel ID or invite ID")


def create_webinar(settings: Settings, args: argparse.Namespace) -> int:
    titles = (args.title_da.strip(), args.title_en.strip())
    if not all(0 < len(t) <= MAX_TITLE for t in titles):
        _usage_error(f"--title-da and --title-en must be 1-{MAX_TITLE} characters")
    if args.minutes > MAX_MINUTES:
        _usage_error(f"--minutes must be at most {MAX_MINUTES}")
    if (args.repeat is None) != (args.until is None):
        _usage_error("--repeat and --until go together")
    new = NewWebinar(titles[0], titles[1], args.link, args.recording, args.minutes,
                     args.capacity)
    repeat = Repeat(args.repeat) if args.repeat else None
    webinar_id = _run(settings, lambda planner: planner.create(new, args.at, repeat,
                                                               args.until))
    print(webinar_id)
    return 0


def change_webinar(settings: Settings, args: argparse.Namespace) -> int:
    if args.at is None and args.link is None:
        _usage_error("change needs --at or --link")
    change = _run(settings, lambda planner: planner.change(args.id, args.at, args.link))
    parts = [f"{change.moved} session(s) moved"] if change.moved else []
    parts += ["link changed"] if change.link_changed else []
    print(f"webinar {args.id}: {', '.join(parts) or 'nothing changed'}")
    return 0


def cancel_webinar(settings: Settings, args: argparse.Namespace) -> int:
    cancelled = _run(settings, lambda planner: planner.cancel(args.id))
    print(f"webinar {args.id}: {cancelled} session(s) cancelled")
    return 0


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
    db = await Database.open(settings.database_path)
    try:
        store = WebinarStore(db)
        lines = []
        for webinar in await store.webinars():
            capacity = webinar.capacity if webinar.capacity is not None else "no limit"
            cancelled = " · cancelled" if webinar.cancelled_at else ""
            lines.append(f"#{webinar.id} {webinar.title_da} / {webinar.title_en} · "
                         f"{webinar.minutes} min · capacity {capacity}{cancelled}")
            for session in await store.sessions(webinar.id):
                start = session.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
                state = " cancelled" if session.cancelled else ""
                lines.append(f"  session {session.id}: {start}{state}")
        return lines or ["no webinars"]
    finally:
        await db.close()


def _run(settings: Settings, work: Callable[[WebinarPlanner], Awaitable[T]]) -> T:
    """One planner action on the database; a PlanningError is a usage error."""
    async def run() -> T:
        db = await Database.open(settings.database_path)
        try:
            return await work(WebinarPlanner(WebinarStore(db), SystemClock(), settings.timezone))
        finally:
            await db.close()

    try:
        return asyncio.run(run())
    except PlanningError as exc:
        _usage_error(str(exc))
