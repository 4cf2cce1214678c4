"""What must hold after any scenario, faults and crashes included (issue 14), checked from the
outside: the Bot API calls the bot made and its database file.

* every citizen message is answered, relayed to staff, or sits in a case;
* no message a citizen would see twice (an outbox row flagged `at_most_once`) reached Telegram
  twice;
* no timer is lost: none is overdue once the sweeps ran, each has a handler, and every timer
  that was waiting before a crash is still there (or fired) after it;
* the database passes `PRAGMA integrity_check` and `foreign_key_check`;
* nothing the bot sent is over Telegram's limits (text 4096, caption 1024, callback data 1–64
  bytes, 100 buttons, topic name 128).

Used by tests/test_fault_scenarios.py, tests/test_process_chaos.py and tests/test_fuzz.py.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.clock import from_db
from bot.transport.local_api import ApiCall
from tests.pg import ON_POSTGRES, connect

if TYPE_CHECKING:
    from tests.conftest import Harness

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64
MAX_BUTTONS = 100
MAX_TOPIC_NAME = 128
MAX_CALLBACK_ANSWER = 200
_TEXT_METHODS = frozenset({"sendMessage", "editMessageText"})
_CAPTION_METHODS = frozenset({"sendPhoto", "sendDocument", "sendVideo", "sendAudio",
                              "sendVoice", "copyMessage", "editMessageCaption"})
_TO_CHAT = frozenset({"sendMessage", "sendPhoto", "sendDocument", "copyMessage",
                      "copyMessages", "editMessageText", "editMessageReplyMarkup",
                      "editMessageCaption", "sendVoice", "sendVideo", "sendAudio"})


@dataclass(frozen=True, slots=True)
class Incoming:
    """A citizen's message, and how many Bot API calls had been made before it arrived."""

    chat_id: int
    message_id: int
    mark: int


@dataclass
class Ledger:
    """The citizen messages a scenario sent in, in order."""

    messages: list[Incoming] = field(default_factory=list)

    def add(self, chat_id: int, message_id: int, mark: int) -> None:
        self.messages.append(Incoming(chat_id, message_id, mark))


def rows(database: Path, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    """Read the bot's database file as it is on disk (committed rows only, like after a crash);
    on PostgreSQL (tests/pg.py) its schema, rows by position and by name alike."""
    if ON_POSTGRES:
        with connect(database) as pg:
            return pg.execute(sql, params).fetchall()
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        return db.execute(sql, params).fetchall()


def table_names(database: Path) -> set[str]:
    """The tables of the bot's database (SQLite's file or its PostgreSQL schema)."""
    if ON_POSTGRES:
        return {str(r[0]) for r in rows(
            database, "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema()")}
    return {str(r[0]) for r in rows(database, "SELECT name FROM sqlite_master "
                                              "WHERE type = 'table'")}


# The checks: each returns what is wrong, one line per fault; [] when all is well ---------------
def over_limits(calls: Iterable[ApiCall]) -> list[str]:
    """Calls Telegram would refuse for their size (whether or not the fake refused them)."""
    problems: list[str] = []
    for n, call in enumerate(calls):
        p = call.params
        text = p.get("text")
        if call.method in _TEXT_METHODS and isinstance(text, str) and len(text) > MAX_TEXT:
            problems.append(f"call {n} {call.method}: text of {len(text)} characters")
        caption = p.get("caption")
        if (call.method in _CAPTION_METHODS and isinstance(caption, str)
                and len(caption) > MAX_CAPTION):
            problems.append(f"call {n} {call.method}: caption of {len(caption)} characters")
        if call.method == "createForumTopic" and len(str(p.get("name", ""))) > MAX_TOPIC_NAME:
            problems.append(f"call {n} createForumTopic: name over {MAX_TOPIC_NAME}")
        answer = p.get("text") if call.method == "answerCallbackQuery" else None
        if isinstance(answer, str) and len(answer) > MAX_CALLBACK_ANSWER:
            problems.append(f"call {n} answerCallbackQuery: text of {len(answer)} characters")
        keyboard = (p.get("reply_markup") or {}).get("inline_keyboard") or []
        buttons = [b for row in keyboard for b in row]
        if len(buttons) > MAX_BUTTONS:
            problems.append(f"call {n} {call.method}: {len(buttons)} buttons")
        for button in buttons:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_BYTES:
                problems.append(f"call {n} {call.method}: callback data {data!r}")
    return problems


def unanswered(calls: Sequence[ApiCall], ledger: Ledger, database: Path) -> list[str]:
    """Citizen messages that got no reply before the chat's next message, were not relayed to
    staff and sit in no case."""
    in_case = {(int(r["telegram_user_id"]), r["source_message_id"]) for r in rows(
        database, "SELECT c.telegram_user_id, k.source_message_id FROM cases k "
                  "JOIN citizens c ON c.id = k.citizen_id")}
    open_case = {int(r["telegram_user_id"]) for r in rows(
        database, "SELECT c.telegram_user_id FROM cases k JOIN citizens c "
                  "ON c.id = k.citizen_id WHERE k.closed_at IS NULL")}
    relayed: set[tuple[int, int]] = set()
    for call in calls:
        if call.ok and call.method in ("copyMessage", "forwardMessage"):
            relayed.add((int(call.params["from_chat_id"]), int(call.params["message_id"])))
        elif call.ok and call.method in ("copyMessages", "forwardMessages"):
            source = int(call.params["from_chat_id"])
            relayed.update((source, int(i)) for i in call.params["message_ids"])
    problems = []
    for n, message in enumerate(ledger.messages):
        later = [m.mark for m in ledger.messages[n + 1:] if m.chat_id == message.chat_id]
        until = later[0] if later else len(calls)
        replied = any(c.ok and c.method in _TO_CHAT and c.chat_id == message.chat_id
                      for c in calls[message.mark:until])
        key = (message.chat_id, message.message_id)
        if not (replied or key in relayed or key in in_case or message.chat_id in open_case):
            problems.append(f"message {message.message_id} of chat {message.chat_id}: "
                            "no answer, no relay, no case")
    return problems


def sent_twice(calls: Iterable[ApiCall], database: Path) -> list[str]:
    """At-most-once outbox rows (what a citizen would see twice) that reached Telegram twice."""
    delivered: Counter[tuple[Any, ...]] = Counter()
    for call in calls:
        if not call.ok or call.chat_id is None:
            continue
        if call.method in ("copyMessage", "copyMessages"):
            ids = call.params.get("message_ids") or [call.params.get("message_id")]
            for message_id in ids:
                delivered[(call.chat_id, "copy", int(call.params["from_chat_id"]),
                           int(message_id))] += 1
        elif call.method in ("sendMessage", "sendPhoto", "sendDocument"):
            text = call.params.get("text", call.params.get("caption")) or ""
            delivered[(call.chat_id, "text", str(text))] += 1
    problems = []
    for row in rows(database, "SELECT id, chat_id, kind, payload FROM outbox "
                              "WHERE at_most_once = 1 AND status IN ('sent', 'uncertain')"):
        payload = json.loads(row["payload"])
        copy = payload.get("copy_from")
        key: tuple[Any, ...] = ((int(row["chat_id"]), "copy", int(copy[0]), int(copy[1]))
                                if copy else (int(row["chat_id"]), "text", payload["text"]))
        if delivered[key] > 1:
            problems.append(f"outbox {row['id']} ({row['kind']}) reached chat "
                            f"{row['chat_id']} {delivered[key]} times")
    return problems


def timers(database: Path) -> dict[str, tuple[str, datetime]]:
    """Every timer: key -> (kind, due)."""
    return {str(r["key"]): (str(r["kind"]), from_db(r["due_at"]))
            for r in rows(database, "SELECT key, kind, due_at FROM timers")}


def lost_timers(database: Path, now: datetime, kinds: Iterable[str],
                before_crash: dict[str, tuple[str, datetime]] | None = None) -> list[str]:
    """After the sweeps ran at `now`: timers still overdue, of a kind nobody handles, or (given
    the timers from before a crash) gone though not due yet."""
    known = set(kinds)
    now_timers = timers(database)
    problems = [f"timer {key} ({kind}) overdue since {due.isoformat()}"
                for key, (kind, due) in now_timers.items() if due < now]
    problems += [f"timer {key}: no handler for kind {kind}"
                 for key, (kind, _due) in now_timers.items() if kind not in known]
    for key, (kind, due) in (before_crash or {}).items():
        if key not in now_timers and due > now:
            problems.append(f"timer {key} ({kind}) due {due.isoformat()} vanished")
    return problems


def corrupt(database: Path) -> list[str]:
    """What PRAGMA integrity_check and foreign_key_check report. PostgreSQL checks every
    foreign key as it is written, and has no file of the bot's to check: there, constraints
    not validated are what is reported."""
    if ON_POSTGRES:
        return [f"constraint not validated: {r[0]}" for r in rows(
            database, "SELECT conname FROM pg_constraint c JOIN pg_namespace n "
            "ON n.oid = c.connamespace WHERE n.nspname = current_schema() "
            "AND NOT c.convalidated")]
    result = [str(r[0]) for r in rows(database, "PRAGMA integrity_check")]
    problems = [] if result == ["ok"] else [f"integrity_check: {line}" for line in result]
    problems += [f"foreign key: {tuple(r)}" for r in rows(database, "PRAGMA foreign_key_check")]
    return problems


def check_all(calls: Sequence[ApiCall], ledger: Ledger, database: Path, now: datetime,
              timer_kinds: Iterable[str],
              before_crash: dict[str, tuple[str, datetime]] | None = None) -> None:
    """Every invariant at once; the assertion lists everything that is wrong."""
    problems = (unanswered(calls, ledger, database) + sent_twice(calls, database)
                + lost_timers(database, now, timer_kinds, before_crash) + corrupt(database)
                + over_limits(calls))
    assert not problems, "invariants broken:\n" + "\n".join(problems)


# In-process: the harness of tests/conftest.py -------------------------------------------------
async def sweep_all(bot: Harness) -> None:
    """What the running bot's sweeps do every 10 s: due timers, then every feature's sweep."""
    await bot.ctx.scheduler.fire_due()
    for feature in bot.ctx.features:
        for make in feature.sweeps.values():
            await make(bot.ctx)()


def timer_kinds(bot: Harness) -> set[str]:
    return {kind for feature in bot.ctx.features for kind in feature.timers}


async def settle_and_check(bot: Harness, ledger: Ledger,
                           before_crash: dict[str, tuple[str, datetime]] | None = None) -> None:
    """Sweep, drain the outbox, sweep again (a sweep may queue what a send made due), then
    check every invariant."""
    for _ in range(3):
        await sweep_all(bot)
        await bot.drain()
    check_all(bot.api.calls, ledger, bot.ctx.settings.database_path, bot.clock.now(),
              timer_kinds(bot), before_crash)
