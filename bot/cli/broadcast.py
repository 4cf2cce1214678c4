"""`python -m bot broadcast send | status | pause | resume | cancel | list`.

The CLI only writes the database; the running bot's sweep picks a stored broadcast up within
10 s and sends it, and obeys a pause, resume or cancel written here the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.clock import SystemClock
from bot.config import SUPPORTED_LOCALES, Settings
from bot.i18n import N_

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.features.broadcasts.model import Draft
    from bot.features.broadcasts.service import BroadcastService

EXIT_UNKNOWN = 1
EXIT_USAGE = 2
NOTHING_STORED = N_("Nothing is stored yet: add --yes to send it.")
CHANGED = {"pause": N_("Broadcast #{id} paused."), "resume": N_("Broadcast #{id} resumed."),
           "cancel": N_("Broadcast #{id} cancelled: nothing more is sent.")}
NOT_NOW = N_("Broadcast #{id} cannot be changed like that now: it is {status}.")
NO_BROADCASTS = N_("No broadcasts yet.")


class UsageError(Exception):
    """A bad argument; the message is the reason, for "broadcast: ..."."""


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "broadcast", help="send a message to a segment of citizens: send | status | pause | "
        "resume | cancel | list",
        description="Broadcasts to citizens who consented to webinar news. Bad arguments exit "
        "2; an unknown broadcast ID exits 1.")
    actions = parser.add_subparsers(title="actions", dest="action", required=True)
    send = actions.add_parser("send", help="print the preview; with --yes store it and print "
                              "its id (the last line)")
    send.add_argument("--name", required=True)
    for locale in SUPPORTED_LOCALES:
        send.add_argument(f"--text-{locale}", type=Path, metavar="FILE",
                          help=f"the text in {locale} (UTF-8 file)")
    send.add_argument("--audience", default="webinars",
                      help="webinars (the only one): citizens who consented to webinar news")
    send.add_argument("--button", action="append", metavar="PREFIX:ARG",
                      help="an extra button, e.g. rsvp:WEBINAR_ID (repeatable)")
    add_segment_arguments(send)
    send.set_defaults(handler=send_command)
    for action, text in (("status", "progress or summary of one broadcast"),
                         ("pause", "hold what is not sent yet"),
                         ("resume", "send what was held"),
                         ("cancel", "send nothing more (works while sending)")):
        one = actions.add_parser(action, help=text)
        one.add_argument("id", type=int, metavar="ID")
        one.set_defaults(handler=change_command if action != "status" else status_command)
    actions.add_parser("list", help="every broadcast, one line each"
                       ).set_defaults(handler=list_command)


def add_segment_arguments(parser: argparse.ArgumentParser) -> None:
    """Who gets it and when: shared by `broadcast send` and `webinar invite`."""
    parser.add_argument("--label", help="only citizens invited with this invite label")
    parser.add_argument("--lang", action="append", metavar="LANG",
                        help="only citizens with this language (repeatable, or da,en)")
    parser.add_argument("--joined-from", metavar="YYYY-MM-DD",
                        help="joined on or after this day")
    parser.add_argument("--joined-to", metavar="YYYY-MM-DD", help="joined on or before this day")
    parser.add_argument("--citizens", metavar="N,N", help="only these citizen numbers")
    parser.add_argument("--at", metavar="YYYY-MM-DD HH:MM",
                        help="local time (TIMEZONE) to send; default now")
    parser.add_argument("--important", action="store_true",
                        help="may pass the weekly limit on messages (never quiet hours)")
    parser.add_argument("--fallback-default", action="store_true",
                        help="citizens whose language has no text get DEFAULT_LOCALE's text")
    parser.add_argument("--yes", action="store_true", help="store it for sending")


def send_command(settings: Settings, args: argparse.Namespace) -> int:
    async def draft(app: AppContext) -> Draft:
        texts = {locale: _read(f"--text-{locale}", path) for locale in SUPPORTED_LOCALES
                 if (path := getattr(args, f"text_{locale}")) is not None}
        return segment_draft(settings, args, args.name, texts, tuple(args.button or ()))

    return queue(settings, args, draft)


def queue(settings: Settings, args: argparse.Namespace,
          draft_of: Callable[[AppContext], Awaitable[Draft]], command: str = "broadcast") -> int:
    """Print the preview of the drafted broadcast; with --yes store it and print its id. A
    UsageError or DraftError is one line "<command>: …" and exit 2."""
    async def work(service: BroadcastService, app: AppContext) -> int:
        from bot.features.broadcasts.service import DraftError
        from bot.features.broadcasts.wording import render_preview

        _ = app.texts.staff
        try:
            draft = await draft_of(app)
            await service.check(draft)
            print(render_preview(draft.name, await service.preview(draft), _))
            if not args.yes:
                print(_(NOTHING_STORED))
                return 0
            print(await service.create(draft, "cli"))
        except (UsageError, DraftError) as exc:
            return _usage(exc, command)
        return 0

    return _run(settings, work)


def status_command(settings: Settings, args: argparse.Namespace) -> int:
    async def work(service: BroadcastService, app: AppContext) -> int:
        broadcast = await service.get(args.id)
        if broadcast is None:
            return _unknown(args.id)
        print((await service.report(broadcast))[0])
        return 0

    return _run(settings, work)


def change_command(settings: Settings, args: argparse.Namespace) -> int:
    async def work(service: BroadcastService, app: AppContext) -> int:
        from bot.features.broadcasts.service import Change
        from bot.features.broadcasts.wording import status_label

        _ = app.texts.staff
        actions = {"pause": service.pause, "resume": service.resume, "cancel": service.cancel}
        change = await actions[args.action](args.id)
        if change is Change.UNKNOWN:
            return _unknown(args.id)
        if change is Change.NOT_NOW:
            broadcast = await service.get(args.id)
            assert broadcast is not None
            print(f"broadcast: {_(NOT_NOW, id=args.id, status=status_label(broadcast, _))}",
                  file=sys.stderr)
            return EXIT_USAGE
        print(_(CHANGED[args.action], id=args.id))
        return 0

    return _run(settings, work)


def list_command(settings: Settings, args: argparse.Namespace) -> int:
    async def work(service: BroadcastService, app: AppContext) -> int:
        lines = await service.listing()
        print("\n".join(lines) if lines else app.texts.staff(NO_BROADCASTS))
        return 0

    return _run(settings, work)


def _run(settings: Settings,
         work: Callable[[BroadcastService, AppContext], Awaitable[int]]) -> int:
    from bot.context import open_app_context
    from bot.features.broadcasts.service import BroadcastService
    from bot.features.enabled import FEATURES

    async def main() -> int:
        app = await open_app_context(settings, SystemClock(), FEATURES)
        try:
            return await work(app.get(BroadcastService), app)
        finally:
            await app.db.close()

    return asyncio.run(main())


def segment_draft(settings: Settings, args: argparse.Namespace, name: str,
                  texts: dict[str, str], buttons: tuple[str, ...]) -> Draft:
    """A draft from the segment arguments (see add_segment_arguments); UsageError if bad."""
    from bot.features.broadcasts.model import Draft, Segment

    if getattr(args, "audience", "webinars") != "webinars":
        raise UsageError(f"--audience {args.audience}: the only audience is webinars")
    languages = tuple(dict.fromkeys(
        part.strip() for value in args.lang or () for part in value.split(",") if part.strip()))
    for locale in languages:
        if locale not in SUPPORTED_LOCALES:
            raise UsageError(f"--lang {locale}: unknown language (known: "
                             f"{', '.join(SUPPORTED_LOCALES)})")
    joined_from = _day("--joined-from", args.joined_from)
    joined_to = _day("--joined-to", args.joined_to)
    if joined_from and joined_to and joined_from > joined_to:
        raise UsageError("--joined-from is after --joined-to")
    now = SystemClock().now()
    send_at = _moment(settings, args.at) if args.at else now
    if send_at < now:
        raise UsageError(f"--at {args.at}: that is in the past")
    segment = Segment(languages, args.label, joined_from, joined_to, _numbers(args.citizens))
    return Draft(name, texts, segment, send_at, buttons, args.important, args.fallback_default)


def _read(flag: str, path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{flag} {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{flag} {path}: cannot read it ({exc})") from None


def _day(flag: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{flag} {value}: expected a date as YYYY-MM-DD") from None


def _moment(settings: Settings, value: str) -> datetime:
    try:
        local = datetime.strptime(value, "%Y-%m-%d %H:%M")
    except ValueError:
        raise UsageError(f"--at {value}: expected local time as \"YYYY-MM-DD HH:MM\"") from None
    return local.replace(tzinfo=settings.timezone)


def _numbers(value: str | None) -> tuple[int, ...]:
    if not value:
        return ()
    try:
        numbers = tuple(int(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise UsageError(f"--citizens {value}: expected citizen numbers like 12,15") from None
    if not numbers or min(numbers) < 1:
        raise UsageError(f"--citizens {value}: expected citizen numbers like 12,15")
    return numbers


def _usage(exc: Exception, command: str = "broadcast") -> int:
    print(f"{command}: {exc}", file=sys.stderr)
    return EXIT_USAGE


def _unknown(broadcast_id: int) -> int:
    print(f"broadcast: no broadcast #{broadcast_id}", file=sys.stderr)
    return EXIT_UNKNOWN
