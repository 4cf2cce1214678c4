"""One handler per `python -m bot` sub-command: (settings, parsed arguments) -> exit code.

Each imports what it needs when it runs, so a sub-command loads only its own dependencies."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from bot.config import ConfigError, Settings

EXIT_USAGE = 2  # a bad argument, as argparse exits
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


def run(settings: Settings, args: argparse.Namespace) -> int:
    if settings.console_mode:
        return console(settings, args)
    from telegram.error import BadRequest, InvalidToken

    from bot.transport.telegram import run_telegram

    try:
        run_telegram(settings)
    except KeyboardInterrupt:  # Ctrl-C while still waiting for Telegram
        return 130
    except InvalidToken:
        raise ConfigError("BOT_TOKEN: Telegram rejected this token") from None
    except BadRequest as exc:
        if settings.webhook_url is None:
            raise
        raise ConfigError(f"WEBHOOK_URL: Telegram refused the webhook ({exc.message})") from None
    return 0


def console(settings: Settings, args: argparse.Namespace) -> int:
    from bot.transport.console import run_console

    # Ctrl-C always ends the console, even when it was started with SIGINT ignored (as a
    # background job of a script is): asyncio only takes Ctrl-C over from Python's own handler.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        asyncio.run(run_console(settings))
    except KeyboardInterrupt:  # Ctrl-C: run_console has shut down cleanly already
        print()  # the shell's prompt on a line of its own, not after "> "
        return EXIT_INTERRUPTED
    return 0


def migrate(settings: Settings, args: argparse.Namespace) -> int:
    from bot.db_open import open_database

    async def apply_migrations() -> list[int]:
        db = await open_database(settings)
        await db.close()
        return [number for number, _sql in load_migrations()]

    from bot.db import load_migrations

    numbers = asyncio.run(apply_migrations())
    print(f"{settings.database_label}: schema at migration {max(numbers):04d}")
    return 0


def health(settings: Settings, args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.health.checks import run_checks

    checks = asyncio.run(run_checks(settings, SystemClock()))
    for check in checks:
        print(check.line)
    return 0 if all(check.ok for check in checks) else 1


def invite(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli.invite import InviteUsageError, create_invites

    try:
        rows = asyncio.run(create_invites(settings, args.count, args.label, args.bot_username,
                                          args.csv))
    except InviteUsageError as exc:
        print(f"invite: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for _code, link in rows:
        print(link)
    if args.csv:
        print(f"wrote {len(rows)} invites to {args.csv}", file=sys.stderr)
    return 0


def staff(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli.admin import manage_staff

    for line in asyncio.run(manage_staff(settings, args.action, args.user_id, args.role)):
        print(line)
    return 0


def audit(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli.admin import audit_lines

    for line in asyncio.run(audit_lines(settings, args.citizen)):
        print(line)
    return 0


def risk(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli.risk import evaluate, review_lines, train_head
    from bot.features.risk.corpus import DEFAULT_CORPUS_DIR
    from bot.features.risk.head import DEFAULT_HEAD_PATH

    corpus = args.corpus or DEFAULT_CORPUS_DIR
    if args.action == "train":
        lines = train_head(corpus, args.out or DEFAULT_HEAD_PATH)
    elif args.action == "eval":
        lines = evaluate(corpus, held_out=not args.all)
    else:
        lines = asyncio.run(review_lines(settings, args.tsv))
    for line in lines:
        print(line)
    return 0


def i18n(settings: Settings, args: argparse.Namespace) -> int:
    from bot.i18n import catalog

    template = catalog.extract_template()
    if args.action == "extract":
        catalog.write_template(template)
        print(f"{len(template)} msgids -> {catalog.TEMPLATE}")
    elif args.action == "update":
        catalog.write_template(template)
        catalog.update_catalogs(template)
        print("catalogues updated; fill in empty msgstr entries, then run `i18n check`")
    elif args.action == "compile":
        for path in catalog.compile_catalogs():
            print(path)
    else:
        problems = catalog.check_catalogs(template)
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(template)} msgids, {len(problems)} problem(s)")
        return 1 if problems else 0
    return 0
