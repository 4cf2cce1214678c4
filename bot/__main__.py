"""`python -m bot [run | console | migrate | health | invite | staff | audit | risk | i18n]` –
one thing each."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from bot.db import DatabasePathError
from bot.engine import DialogError
from bot.log_privacy import PrivacyFilter

EXIT_CONFIG = 2
EXIT_USAGE = 2  # a bad argument, as argparse exits
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        _configure_logging(settings.log_level, secrets=[settings.token or ""])
        return int(args.handler(settings, args) or 0)
    except (ConfigError, DialogError) as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except DatabasePathError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.set_defaults(handler=_run)
    sub = parser.add_subparsers(title="commands")
    sub.add_parser("run", help="run the bot (console mode when BOT_TOKEN is unset)"
                   ).set_defaults(handler=_run)
    sub.add_parser("console", help="talk to the bot in this terminal, on the local database"
                   ).set_defaults(handler=_console)
    sub.add_parser("migrate", help="apply database migrations and exit"
                   ).set_defaults(handler=_migrate)
    sub.add_parser("health", help="check the database, the outbox and the Bot API; exit 1 "
                   "when unhealthy").set_defaults(handler=_health)
    invite = sub.add_parser("invite", help="create invite codes and print their deep links")
    invite.add_argument("--count", type=int, default=1)
    invite.add_argument("--label", required=True, help="campaign label stored on the citizen")
    invite.add_argument("--csv", type=Path, metavar="PATH",
                        help="also write code,link,label as CSV")
    invite.add_argument("--bot-username", help="defaults to BOT_USERNAME, else getMe")
    invite.set_defaults(handler=_invite)
    staff = sub.add_parser("staff", help="staff roles: add <user id> <role> | remove <user id> "
                           "| list")
    staff.add_argument("action", choices=["add", "remove", "list"])
    staff.add_argument("user_id", nargs="?", type=int)
    staff.add_argument("role", nargs="?", choices=["admin", "coordinator", "consultant"])
    staff.set_defaults(handler=_staff)
    audit = sub.add_parser("audit", help="print the audit log for one citizen")
    audit.add_argument("--citizen", type=int, required=True, help="internal citizen number")
    audit.set_defaults(handler=_audit)
    risk = sub.add_parser("risk", help="risk classifier: train | eval | review")
    risk.add_argument("action", choices=["train", "eval", "review"])
    risk.add_argument("--corpus", type=Path, help="corpus folder (default tests/risk/corpus)")
    risk.add_argument("--out", type=Path, help="train: where to write the head")
    risk.add_argument("--all", action="store_true", help="eval: the whole corpus, not only "
                      "the held-out split")
    risk.add_argument("--tsv", action="store_true", help="review: corpus lines to check and add")
    risk.set_defaults(handler=_risk)
    i18n = sub.add_parser("i18n", help="translation catalogue: extract | update | check | compile")
    i18n.add_argument("action", choices=["extract", "update", "check", "compile"])
    i18n.set_defaults(handler=_i18n)
    return parser


class _RedactingFormatter(logging.Formatter):
    """PTB puts the token into some error texts (e.g. InvalidToken): never let it reach a log."""

    def __init__(self, fmt: str, secrets: Sequence[str]) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


def _configure_logging(level: str, secrets: Sequence[str]) -> None:
    from telegram.error import InvalidToken

    handler = logging.StreamHandler()
    # A rejected token is reported as one configuration line by main(); no traceback for it
    # from PTB's start-up retry loop.
    handler.addFilter(lambda r: not (r.exc_info and isinstance(r.exc_info[1], InvalidToken)))
    handler.addFilter(PrivacyFilter())  # every logger, every level: no texts, names, payloads
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s",
                                             secrets))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # httpx logs request URLs, which contain the bot token: keep it quiet.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if level != "DEBUG":
        logging.getLogger("telegram").setLevel(logging.WARNING)
        logging.getLogger("aiosqlite").setLevel(logging.WARNING)
        logging.getLogger("transitions").setLevel(logging.WARNING)


def _run(settings: Settings, args: argparse.Namespace) -> int:
    if settings.console_mode:
        return _console(settings, args)
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


def _console(settings: Settings, args: argparse.Namespace) -> int:
    from bot.transport.console import run_console

    try:
        asyncio.run(run_console(settings))
    except KeyboardInterrupt:  # Ctrl-C: run_console has shut down cleanly already
        print()  # the shell's prompt on a line of its own, not after "> "
        return EXIT_INTERRUPTED
    return 0


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    from bot.db import Database

    async def migrate() -> list[int]:
        db = await Database.open(settings.database_path)
        await db.close()
        return [number for number, _sql in load_migrations()]

    from bot.db import load_migrations

    numbers = asyncio.run(migrate())
    print(f"{settings.database_path}: schema at migration {max(numbers):04d}")
    return 0


def _health(settings: Settings, args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.health.checks import run_checks

    checks = asyncio.run(run_checks(settings, SystemClock()))
    for check in checks:
        print(check.line)
    return 0 if all(check.ok for check in checks) else 1


def _invite(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_invite import InviteUsageError, create_invites

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


def _staff(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_admin import manage_staff

    for line in asyncio.run(manage_staff(settings, args.action, args.user_id, args.role)):
        print(line)
    return 0


def _audit(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_admin import audit_lines

    for line in asyncio.run(audit_lines(settings, args.citizen)):
        print(line)
    return 0


def _risk(settings: Settings, args: argparse.Namespace) -> int:
    from bot import cli_risk
    from bot.features.risk.corpus import DEFAULT_CORPUS_DIR
    from bot.features.risk.head import DEFAULT_HEAD_PATH

    corpus = args.corpus or DEFAULT_CORPUS_DIR
    if args.action == "train":
        lines = cli_risk.train_head(corpus, args.out or DEFAULT_HEAD_PATH)
    elif args.action == "eval":
        lines = cli_risk.evaluate(corpus, held_out=not args.all)
    else:
        lines = asyncio.run(cli_risk.review_lines(settings, args.tsv))
    for line in lines:
        print(line)
    return 0


def _i18n(settings: Settings, args: argparse.Namespace) -> int:
    from bot import catalog

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


if __name__ == "__main__":
    sys.exit(main())
