"""`python -m bot invite`: codes into the database, deep links (and optionally a CSV) out.

All or nothing: the CSV goes to a temporary file in its own folder first, then the codes are
stored in one transaction, and only then is the file renamed into place. Writing the file is
what fails in practice (a missing folder, permissions, a full disk), and it fails before anything
is stored; a rename within one folder is atomic, and should even that fail, the codes just stored
are taken back. So no file I/O runs inside a database transaction, and no half-written CSV is
ever left behind. The file is created readable by its owner only: the codes are secrets."""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

from bot.cache import ChangeNotes
from bot.cli.output_file import csv_path_problem
from bot.clock import SystemClock
from bot.config import ConfigError, Settings
from bot.db_open import open_database
from bot.features.citizens import CitizenStore
from bot.features.invites import Invite, InviteService, deep_link, new_invites
from bot.features.invites.storage import InviteStore


class InviteUsageError(Exception):
    """A bad argument or an unwritable --csv; the message is the reason, for "invite: ..."."""


async def create_invites(settings: Settings, count: int, label: str, bot_username: str | None,
                         csv_path: Path | None) -> list[tuple[str, str]]:
    """(code, deep link) per stored invite; on any failure nothing is stored or written."""
    try:
        invites = new_invites(count, label)
    except ValueError as exc:
        raise InviteUsageError(exc) from None
    if csv_path is not None and (problem := csv_path_problem(csv_path)) is not None:
        raise InviteUsageError(f"--csv {csv_path}: {problem}")
    username = bot_username or settings.bot_username or await _username_from_telegram(settings)
    links = [deep_link(username, i.code) for i in invites]
    pending = _write_pending_csv(csv_path, invites, links) if csv_path is not None else None
    try:
        db = await open_database(settings)
        try:
            clock = SystemClock()
            citizens = CitizenStore(db, ChangeNotes.of(db, clock))
            service = InviteService(InviteStore(db), citizens, clock)
            await service.store(invites)
            if csv_path is not None and pending is not None:
                try:
                    os.replace(pending, csv_path)
                except OSError as exc:
                    await service.withdraw(invites)
                    raise _cannot_write(csv_path, exc) from None
        finally:
            await db.close()
    finally:
        if pending is not None:
            pending.unlink(missing_ok=True)
    return [(i.code, link) for i, link in zip(invites, links, strict=True)]


def _write_pending_csv(path: Path, invites: list[Invite], links: list[str]) -> Path:
    """The whole CSV in a temporary file next to path; renamed into place once stored."""
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    pending = Path(name)
    try:
        with open(fd, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["code", "link", "label"])
            writer.writerows([i.code, link, i.label]
                             for i, link in zip(invites, links, strict=True))
    except OSError as exc:
        pending.unlink(missing_ok=True)
        raise _cannot_write(path, exc) from None
    return pending


def _cannot_write(path: Path, exc: OSError) -> InviteUsageError:
    return InviteUsageError(f"--csv {path}: cannot write it ({exc.strerror or exc})")


async def _username_from_telegram(settings: Settings) -> str:
    if settings.token is None:
        raise ConfigError("BOT_USERNAME: needed for deep links (or set BOT_TOKEN, or pass "
                          "--bot-username)")
    from telegram import Bot

    async with Bot(settings.token, base_url=settings.api_base_url) as bot:
        if not bot.username:
            raise ConfigError("BOT_USERNAME: getMe returned no username")
        return bot.username
