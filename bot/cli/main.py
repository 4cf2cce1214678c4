"""`python -m bot [run | console | migrate | health | invite | staff | audit | risk | i18n]` –
one thing each."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.cli import broadcast, club, report, subcommands, webinar
from bot.cli.logging_setup import configure_logging
from bot.config import ConfigError, load_settings
from bot.db import DatabasePathError
from bot.engine import DialogError

EXIT_CONFIG = 2


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings.log_level,
                          secrets=[settings.token or "", settings.database_password or ""])
        return int(args.handler(settings, args) or 0)
    except (ConfigError, DialogError) as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except DatabasePathError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.set_defaults(handler=subcommands.run)
    sub = parser.add_subparsers(title="commands")
    sub.add_parser("run", help="run the bot (console mode when BOT_TOKEN is unset)"
                   ).set_defaults(handler=subcommands.run)
    sub.add_parser("console", help="talk to the bot in this terminal, on the local database"
                   ).set_defaults(handler=subcommands.console)
    sub.add_parser("migrate", help="apply database migrations and exit"
                   ).set_defaults(handler=subcommands.migrate)
    sub.add_parser("health", help="check the database, the outbox and the Bot API; exit 1 "
                   "when unhealthy").set_defaults(handler=subcommands.health)
    invite = sub.add_parser("invite", help="create invite codes and print their deep links")
    invite.add_argument("--count", type=int, default=1)
    invite.add_argument("--label", required=True, help="campaign label stored on the citizen")
    invite.add_argument("--csv", type=Path, metavar="PATH",
                        help="also write code,link,label as CSV")
    invite.add_argument("--bot-username", help="defaults to BOT_USERNAME, else getMe")
    invite.set_defaults(handler=subcommands.invite)
    staff = sub.add_parser("staff", help="staff roles: add <user id> <role> | remove <user id> "
                           "| list")
    staff.add_argument("action", choices=["add", "remove", "list"])
    staff.add_argument("user_id", nargs="?", type=int)
    staff.add_argument("role", nargs="?", choices=["admin", "coordinator", "consultant"])
    staff.set_defaults(handler=subcommands.staff)
    audit = sub.add_parser("audit", help="print the audit log for one citizen")
    audit.add_argument("--citizen", type=int, required=True, help="internal citizen number")
    audit.set_defaults(handler=subcommands.audit)
    risk = sub.add_parser("risk", help="risk classifier: train | eval | review")
    risk.add_argument("action", choices=["train", "eval", "review"])
    risk.add_argument("--corpus", type=Path, help="corpus folder (default tests/risk/corpus)")
    risk.add_argument("--out", type=Path, help="train: where to write the head")
    risk.add_argument("--all", action="store_true", help="eval: the whole corpus, not only "
                      "the held-out split")
    risk.add_argument("--tsv", action="store_true", help="review: corpus lines to check and add")
    risk.set_defaults(handler=subcommands.risk)
    i18n = sub.add_parser("i18n", help="translation catalogue: extract | update | check | compile")
    i18n.add_argument("action", choices=["extract", "update", "check", "compile"])
    i18n.set_defaults(handler=subcommands.i18n)
    broadcast.add_parser(sub)
    webinar.add_parser(sub)
    club.add_parser(sub)
    report.add_parser(sub)
    return parser
