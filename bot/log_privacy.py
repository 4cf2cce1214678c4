"""A logging filter that keeps personal data out of every log record, ours and the libraries'.

At DEBUG, python-telegram-bot logs every update it processes and the parameters and results of
every Bot API call (message texts, names, chat ids), and aiosqlite logs every statement with its
parameters. Their message templates are kept – the method names, update ids, counts, retry
numbers and timestamps an operator reads – but any argument that may carry a payload (Telegram
objects, dicts and lists, JSON bodies, object reprs, SQL calls) is replaced by a placeholder
naming its type. Other strings are kept: the libraries pass method names, state names and log
prefixes as strings, personal data only inside objects, containers and JSON.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any

# Arguments of these types are plain facts (ids, counts, durations, enum states, error types and
# messages): they are logged as they are.
_PLAIN = (bool, int, float, Enum, date, datetime, time, timedelta, type, BaseException)
# A string that is a JSON body or the repr of an object, e.g. "Update(message=Message(...".
_PAYLOAD_TEXT = re.compile(r"^\s*[{\[]|\w\(\w+=")


class _Placeholder(str):
    """Reads the same through "%s" and "%r"."""

    def __repr__(self) -> str:
        return str(self)


class PrivacyFilter(logging.Filter):
    """Replaces every argument that may hold personal data; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not isinstance(record.msg, str):
            record.msg, record.args = redacted(record.msg), ()
        elif isinstance(record.args, Mapping):
            if "%(" in record.msg:
                record.args = {key: redacted(value) for key, value in record.args.items()}
            else:  # one dict argument, formatted by "%s"
                record.args = (redacted(record.args),)
        elif record.args:
            record.args = tuple(redacted(arg) for arg in record.args)
        return True


def redacted(value: Any) -> Any:
    """`value` itself when it cannot carry personal data, else a placeholder naming its type."""
    if value is None or isinstance(value, _PLAIN):
        return value
    if isinstance(value, str):
        return _Placeholder("<redacted text>") if _PAYLOAD_TEXT.search(value) else value
    if isinstance(value, list) and all(isinstance(item, int | float) for item in value):
        return value  # e.g. the update ids of one getUpdates
    update_id = getattr(value, "update_id", None)
    if isinstance(update_id, int):
        return _Placeholder(f"<redacted {type(value).__name__} {update_id}>")
    qualname = getattr(value, "__qualname__", None)
    if callable(value) and isinstance(qualname, str):
        return qualname  # a callback, named without the repr of the object it is bound to
    return _Placeholder(f"<redacted {type(value).__name__}>")
