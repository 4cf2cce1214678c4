"""How the coordinators' sub-commands (`broadcast`, `webinar`) talk back, as every other
sub-command does: in English (the staff chat speaks STAFF_LOCALE; a terminal speaks argparse's
language), and a usage error — a bad argument, an unknown id, argparse's own complaints — is one
line "<command>: <what is wrong>" on stderr and exit code 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import NoReturn, TypeVar

from bot.local_time import LocalTimeError, parse_day, parse_local_time

T = TypeVar("T")
EXIT_USAGE = 2
CLI_LOCALE = "en"
"""The language of everything these commands print, texts shared with the staff chat too."""


class UsageError(Exception):
    """A bad argument or an unknown id; the message is the reason, for "<command>: …"."""


def usage_error(command: str, reason: object) -> int:
    print(f"{command}: {reason}", file=sys.stderr)
    return EXIT_USAGE


def one_line_errors(parser: argparse.ArgumentParser, command: str
                    ) -> type[argparse.ArgumentParser]:
    """argparse's errors of `parser` as one line; returns the parser class for its
    sub-parsers (`add_subparsers(parser_class=...)`), which then do the same."""

    def error(message: str) -> NoReturn:
        sys.exit(usage_error(command, message))

    class OneLine(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            sys.exit(usage_error(command, message))

    parser.error = error  # type: ignore[method-assign]
    return OneLine


def argument_type(parse: Callable[[str], T], *errors: type[Exception]
                  ) -> Callable[[str], T]:
    """An argparse `type=` from a parser whose errors say what was expected."""

    def convert(raw: str) -> T:
        try:
            return parse(raw)
        except errors as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = parse.__name__  # argparse names it in "invalid <name> value"
    return convert


local_time_argument = argument_type(parse_local_time, LocalTimeError)
day_argument = argument_type(parse_day, LocalTimeError)
