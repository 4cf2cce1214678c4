"""One PTB handler per stage that asks only the handlers that can take an update.

PTB asks every handler of a group in turn whether it takes an update. The dialog stage holds
about thirty (many more with a staff chat), so a button press went through a regular
expression per button handler, and every message through a check per command, before
reaching the handler that takes it: 27-36 µs per update, a twentieth of the whole path.

`index_stages` puts each stage's handlers behind one `StageIndex`, which picks the candidates
by key and asks those in the order they were added, so the one that takes an update is the
one PTB would have chosen:

* a button press with callback data: the button handlers whose pattern starts with the
  press's prefix (`^prefix\\|`; the data up to its first "|"), those whose pattern does not
  name a prefix, and every handler that is not a button handler;
* a message starting with a command: the command handlers of that command, and every handler
  that is neither a command nor a button handler;
* anything else: the handlers that are neither.

A button handler never takes an update without a callback query, nor a command handler
anything but a message that starts with its command (PTB's own checks, `check_update`, which
the index still runs on every candidate). A stage whose handlers do not all block as PTB's
default has them is left as PTB runs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from telegram import MessageEntity, Update
from telegram._utils.defaultvalue import DEFAULT_TRUE
from telegram.ext import Application, BaseHandler, CallbackQueryHandler, CommandHandler

Handler = BaseHandler[Any, Any, Any]
_PREFIX = re.compile(r"\^(\w+)\\\|")
"""A pattern naming its prefix: it starts with ^, word characters and an escaped "|"."""


class StageIndex(BaseHandler[Update, Any, Any]):
    def __init__(self, handlers: Sequence[Handler]) -> None:
        super().__init__(_dispatched_by_handle_update)
        self.handlers = tuple(handlers)
        order = {id(handler): index for index, handler in enumerate(self.handlers)}

        def in_order(*groups: Iterable[Handler]) -> tuple[Handler, ...]:
            return tuple(sorted({id(h): h for g in groups for h in g}.values(),
                                key=lambda h: order[id(h)]))

        buttons = [h for h in self.handlers if isinstance(h, CallbackQueryHandler)]
        commands = [h for h in self.handlers if isinstance(h, CommandHandler)]
        rest = [h for h in self.handlers
                if not isinstance(h, CallbackQueryHandler | CommandHandler)]
        by_prefix: dict[str, list[Handler]] = {}
        unkeyed: list[Handler] = []
        for button in buttons:
            prefix = _prefix_of(button)
            (by_prefix.setdefault(prefix, []) if prefix else unkeyed).append(button)
        by_command: dict[str, list[Handler]] = {}
        for command in commands:
            for name in command.commands:
                by_command.setdefault(name, []).append(command)
        self._other = in_order(rest)
        self._any_press = in_order(buttons, rest)
        self._unknown_press = in_order(unkeyed, rest)
        self._press = {prefix: in_order(keyed, unkeyed, rest)
                       for prefix, keyed in by_prefix.items()}
        self._command = {name: in_order(named, rest) for name, named in by_command.items()}

    def check_update(self, update: object) -> tuple[Handler, object] | None:
        for handler in self._candidates(update):
            check = handler.check_update(update)
            if check is not None and check is not False:
                return handler, check
        return None

    async def handle_update(self, update: Update, application: Any, check_result: Any,
                            context: Any) -> Any:
        handler, check = check_result
        return await handler.handle_update(update, application, check, context)

    def _candidates(self, update: object) -> tuple[Handler, ...]:
        if not isinstance(update, Update):
            return self._other
        query = update.callback_query
        if query is not None:
            data = query.data
            if not isinstance(data, str) or not data:
                return self._any_press  # PTB matches such presses in its own ways
            return self._press.get(data.split("|", 1)[0], self._unknown_press)
        command = _command_of(update)
        if command is None:
            return self._other
        return self._command.get(command, self._other)


def index_stages(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Every stage with more than one handler, all blocking, behind one StageIndex."""
    for group, handlers in list(application.handlers.items()):
        if len(handlers) > 1 and all(handler.block is DEFAULT_TRUE for handler in handlers):
            application.handlers[group] = [StageIndex(handlers)]


def _prefix_of(handler: CallbackQueryHandler[Any, Any]) -> str | None:
    pattern = handler.pattern
    if not isinstance(pattern, re.Pattern) or not isinstance(pattern.pattern, str):
        return None
    if pattern.flags & re.IGNORECASE or _alternates(pattern.pattern):
        return None
    found = _PREFIX.match(pattern.pattern)
    return found.group(1) if found else None


def _alternates(text: str) -> bool:
    """Whether the pattern has a "|" outside any group, class or escape (`^a\\|x|^b\\|y`
    matches "b|y" too, so it names no single prefix)."""
    depth, in_class, escaped = 0, False, False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
    return False


def _command_of(update: Update) -> str | None:
    """The command a message starts with, as PTB's CommandHandler reads it."""
    message = update.effective_message
    if message is None or not message.entities or not message.text:
        return None
    entity = message.entities[0]
    if entity.type != MessageEntity.BOT_COMMAND or entity.offset != 0:
        return None
    return message.text[1:entity.length].split("@")[0].lower()


async def _dispatched_by_handle_update(update: object, context: object) -> None:
    raise AssertionError("StageIndex hands each update to the handler that took it")
