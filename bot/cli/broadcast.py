"""`python -m bot broadcast send | status | pause | resume | cancel | list`.

The CLI only writes the database; the running bot's sweep picks a stored broadcast up within
10 s and sends it, and obeys a pause, resume or cancel written here the same way.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.usage import (
    CLI_LOCALE,
    UsageError,
    day_argument,
    local_time_argument,
    one_line_errors,
    usage_error,
)
from bot.clock import SystemClock
from bot.config import SUPPORTED_LOCALES, Settings
from bot.local_time import local_to_utc

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.features.broadcasts.model import Attachment, Draft
    from bot.features.broadcasts.service import BroadcastService

NOTHING_STORED = "Nothing is stored yet: add --yes to send it."
CHANGED = {"pause": "Broadcast #{id} paused.", "resume": "Broadcast #{id} resumed.",
           "cancel": "Broadcast #{id} cancelled: nothing more is sent."}
NOT_NOW = "broadcast #{id} cannot be changed like that now: it is {status}"
NO_BROADCASTS = "No broadcasts yet."


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "broadcast", help="send a message to a segment of citizens: send | status | pause | "
        "resume | cancel | list",
        description="Broadcasts to citizens who consented to webinar news. A bad argument or "
        "an unknown broadcast ID is one line on stderr and exit 2.")
    actions = parser.add_subparsers(title="actions", dest="action", required=True,
                                    parser_class=one_line_errors(parser, "broadcast"))
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
    attached = send.add_mutually_exclusive_group()
    attached.add_argument("--image", type=Path, metavar="FILE",
                          help="a JPEG, PNG or WebP image (at most 10 MB) with every message, "
                          "the text as its caption (at most 1,024 characters)")
    attached.add_argument("--document", type=Path, metavar="FILE",
                          help="a file (at most 20 MB) with every message, the text as its "
                          "caption (at most 1,024 characters)")
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
    parser.add_argument("--joined-from", metavar="YYYY-MM-DD", type=day_argument,
                        help="joined on or after this day")
    parser.add_argument("--joined-to", metavar="YYYY-MM-DD", type=day_argument,
                        help="joined on or before this day")
    parser.add_argument("--citizens", metavar="N,N", help="only these citizen numbers")
    parser.add_argument("--rsvp", action="append", metavar="WEBINAR_ID",
                        help="only citizens who answered this webinar (Yes, Maybe or No, to any "
                        "of its sessions; repeatable)")
    parser.add_argument("--no-rsvp", action="append", metavar="WEBINAR_ID",
                        help="only citizens who have not answered this webinar (repeatable)")
    parser.add_argument("--club", action="append", metavar="CLUB_ID|any",
                        help="only citizens with a seat in this job club, or in any (repeatable)")
    parser.add_argument("--no-club", action="append", metavar="CLUB_ID|any",
                        help="only citizens without a seat in this job club, or in any "
                        "(repeatable)")
    parser.add_argument("--at", metavar="\"YYYY-MM-DD HH:MM\"", type=local_time_argument,
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
        draft = segment_draft(settings, args, args.name, texts, tuple(args.button or ()))
        return replace(draft, attachment=_attachment(args))

    return queue(settings, args, draft)


def queue(settings: Settings, args: argparse.Namespace,
          draft_of: Callable[[AppContext], Awaitable[Draft]], command: str = "broadcast") -> int:
    """Print the preview of the drafted broadcast; with --yes store it and print its id. A
    UsageError or DraftError is one line "<command>: …" and exit 2."""
    async def work(service: BroadcastService, app: AppContext) -> int:
        from bot.features.broadcasts.service import DraftError
        from bot.features.broadcasts.wording import render_preview

        _ = app.texts.get(CLI_LOCALE)
        try:
            draft = await draft_of(app)
            await service.check(draft)
            print(render_preview(draft.name, await service.preview(draft), _,
                                 paid=settings.broadcast_paid))
            if not args.yes:
                print(NOTHING_STORED)
                return 0
            print(await service.create(draft, "cli"))
        except (UsageError, DraftError) as exc:
            return usage_error(command, exc)
        return 0

    return _run(settings, work)


def status_command(settings: Settings, args: argparse.Namespace) -> int:
    async def work(service: BroadcastService, app: AppContext) -> int:
        broadcast = await service.get(args.id)
        if broadcast is None:
            return _unknown(args.id)
        print((await service.report(broadcast, app.texts.get(CLI_LOCALE)))[0])
        return 0

    return _run(settings, work)


def change_command(settings: Settings, args: argparse.Namespace) -> int:
    async def work(service: BroadcastService, app: AppContext) -> int:
        from bot.features.broadcasts.service import Change
        from bot.features.broadcasts.wording import status_label

        _ = app.texts.get(CLI_LOCALE)
        actions = {"pause": service.pause, "resume": service.resume, "cancel": service.cancel}
        change = await actions[args.action](args.id)
        if change is Change.UNKNOWN:
            return _unknown(args.id)
        if change is Change.NOT_NOW:
            broadcast = await service.get(args.id)
            assert broadcast is not None
            return usage_error("broadcast", NOT_NOW.format(
                id=args.id, status=status_label(broadcast, _)))
        print(CHANGED[args.action].format(id=args.id))
        return 0

    return _run(settings, work)


def list_command(settings: Settings, args: argparse.Namespace) -> int:
    async def work(service: BroadcastService, app: AppContext) -> int:
        lines = await service.listing(app.texts.get(CLI_LOCALE))
        print("\n".join(lines) if lines else NO_BROADCASTS)
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
    from bot.features.broadcasts.model import Draft, Membership, Segment

    if getattr(args, "audience", "webinars") != "webinars":
        raise UsageError(f"--audience {args.audience}: the only audience is webinars")
    languages = tuple(dict.fromkeys(
        part.strip() for value in args.lang or () for part in value.split(",") if part.strip()))
    for locale in languages:
        if locale not in SUPPORTED_LOCALES:
            raise UsageError(f"--lang {locale}: unknown language (known: "
                             f"{', '.join(SUPPORTED_LOCALES)})")
    joined_from, joined_to = args.joined_from, args.joined_to
    if joined_from and joined_to and joined_from > joined_to:
        raise UsageError("--joined-from is after --joined-to")
    now = SystemClock().now()
    send_at = local_to_utc(args.at, settings.timezone) if args.at else now
    if send_at < now:
        raise UsageError(f"--at {args.at:%Y-%m-%d %H:%M}: that is in the past")
    memberships = tuple(Membership(kind, argument, member)
                        for kind, member, given in (
                            ("rsvp", True, args.rsvp), ("rsvp", False, args.no_rsvp),
                            ("club", True, args.club), ("club", False, args.no_club))
                        for argument in given or ())
    segment = Segment(languages, args.label, joined_from, joined_to, _numbers(args.citizens),
                      memberships)
    return Draft(name, texts, segment, send_at, buttons, args.important, args.fallback_default)


def _read(flag: str, path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{flag} {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{flag} {path}: cannot read it ({exc})") from None


def _attachment(args: argparse.Namespace) -> Attachment | None:
    """--image or --document as bytes to store (BroadcastService.check judges them)."""
    from bot.features.broadcasts.files import MAX_BYTES
    from bot.features.broadcasts.model import Attachment
    from bot.outbox.model import MediaKind

    for flag, kind, path in (("--image", MediaKind.PHOTO, args.image),
                             ("--document", MediaKind.DOCUMENT, args.document)):
        if path is None:
            continue
        try:
            if path.stat().st_size > MAX_BYTES[kind]:  # not read at all
                raise UsageError(f"{flag} {path}: larger than {MAX_BYTES[kind] // 1_000_000} MB")
            content = path.read_bytes()
        except FileNotFoundError:
            raise UsageError(f"{flag} {path}: no such file") from None
        except OSError as exc:
            raise UsageError(f"{flag} {path}: cannot read it ({exc.strerror or exc})") from None
        return Attachment.of_bytes(kind, path.name, content)
    return None


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


def _unknown(broadcast_id: int) -> int:
    return usage_error("broadcast", f"no broadcast #{broadcast_id}")
