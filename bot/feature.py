"""What a feature package offers the application, declared in one place.

Each `bot/features/<x>/__init__.py` exports one `FEATURE`; `bot/features/enabled.py` lists
them, and `app.py` and `context.py` loop over that list. A new feature is a new package plus one
line there: its services, handlers, commands, dialogs, timers, sweeps, outbox hooks, the
events it listens to, its broadcast buttons and segment filters and its parts of /mydata,
erasure, the staff header and /case all come from its `Feature`.

Handlers are given as a function that imports the feature's Telegram module when called
(`handlers_in("bot.features.<x>.handlers")`), so that importing a feature's services never
pulls in telegram (services must not need it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Any

from bot import PROJECT_ROOT
from bot.config import Settings
from bot.engine import DialogSpec, load_dialog
from bot.engine.screen import Value
from bot.i18n import Translator

if TYPE_CHECKING:
    from telegram.ext import Application, ExtBot

    from bot.context import AppContext
    from bot.engine.runner import DialogRunner
    from bot.features.cases.model import Case
    from bot.features.citizens.model import Citizen, Purpose
    from bot.outbox import OutboxItem
    from bot.outbox.model import Buttons
    from bot.outbox.sender import OutboxSender
    from bot.scheduler.model import Next, Timer

Factory = Callable[["AppContext"], Any]
"""Builds one service from the application's named dependencies (`app.get(OtherService)`)."""
Sweep = Callable[[], Awaitable[int]]
SentHook = Callable[["OutboxItem", int], Awaitable[None]]
TimerHandler = Callable[["Timer"], Awaitable["Next | None"]]
Listener = Callable[..., Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Command:
    """A citizen's /command: in Telegram's menu and in /help, from this one declaration."""

    name: str
    menu: str
    """msgid of the short description in the command menu."""
    help: str | None
    """msgid of its line in /help (None: not listed there)."""
    position: int
    """Where it stands in the menu and in /help, across features."""


@dataclass(frozen=True, slots=True)
class StoredData:
    """A feature's part of /mydata: lines in the citizen's words."""

    lines: list[Value]
    phone_number: bool = False
    """A phone number is among it (the closing words of /mydata then say so)."""


MyData = Callable[[int], Awaitable[StoredData]]
"""citizen id -> what this feature stores about them."""
Erasure = Callable[[int], Awaitable[str | None]]
"""Runs before the citizen's row is deleted (with everything that cascades from it); returns a
note for the audit log, or None."""
StaffHeader = Callable[["Citizen", "frozenset[Purpose]", Translator], Awaitable[list[str]]]
"""Lines for the staff header about a citizen, given the purposes they consented to."""
CaseDetails = Callable[["Case"], Awaitable[list[str]]]
ButtonMaker = Callable[[str, Translator], Awaitable["Buttons"]]
"""A broadcast button offered by a feature: (the argument after its prefix, e.g. the webinar id
of `rsvp:12`; the recipient's translator) -> rows of (label, callback data) in that language.
Raises ValueError for an argument it does not know (the CLI shows it as a usage error)."""
SegmentFilter = Callable[[str], Awaitable[frozenset[int]]]
"""A broadcast segment filter offered by a feature: (its argument, e.g. the webinar id of
`--rsvp 12`) -> the citizen numbers it names; a segment takes them, or everyone else (Membership
in bot/features/broadcasts/model.py). Raises ValueError for an argument it does not know."""
Choices = Callable[[Translator], Awaitable[list[tuple[str, str]]]]
"""The arguments a coordinator may pick in the staff chat's /broadcast for a broadcast button
or a segment filter (e.g. the webinars with a session still to come): (argument, label in the
staff's language)."""


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    services: Mapping[type[Any], Factory] = field(default_factory=dict)
    handlers: Callable[[Application[Any, Any, Any, Any, Any, Any], Settings], None] | None = None
    """Adds the feature's handlers, at the stages (bot/stages.py) they belong to."""
    commands: tuple[Command, ...] = ()
    dialogs: Callable[[AppContext], tuple[DialogRunner, ...]] | None = None
    """The dialogs it runs; the front door routes a citizen's input to the one they are in."""
    timers: Mapping[str, Callable[[AppContext], TimerHandler]] = field(default_factory=dict)
    sweeps: Mapping[str, Callable[[AppContext], Sweep]] = field(default_factory=dict)
    on_sent: Mapping[str, Callable[[AppContext], SentHook]] = field(default_factory=dict)
    """Outbox kind -> what to do with the Telegram message id once it is sent."""
    my_data: Callable[[AppContext], MyData] | None = None
    erasure: Callable[[AppContext], Erasure] | None = None
    staff_header: Callable[[AppContext], StaffHeader] | None = None
    listens: Mapping[str, Callable[[AppContext], Listener]] = field(default_factory=dict)
    """Event name (bot/events.py) -> what to do when another feature emits it."""
    case_details: Callable[[AppContext], CaseDetails] | None = None
    """Lines it adds to a case shown with /case (e.g. the consultants' notes)."""
    on_start: Callable[[AppContext, ExtBot[None], OutboxSender], Awaitable[None]] | None = None
    """At start, after the database and before the first update (e.g. check the staff chat)."""
    broadcast_buttons: Mapping[str, Callable[[AppContext], ButtonMaker]] = field(
        default_factory=dict)
    """Button prefix (as in `broadcast send --button rsvp:12`) -> the rows it adds to a
    broadcast; bot/features/broadcasts looks them up across features."""
    broadcast_choices: Mapping[str, Callable[[AppContext], Choices]] = field(
        default_factory=dict)
    """Button prefix -> what /broadcast in the staff chat offers to pick for it (a prefix
    without choices can be given from the CLI only)."""
    segment_choices: Mapping[str, Callable[[AppContext], Choices]] = field(default_factory=dict)
    """Segment filter kind -> what /broadcast offers to pick for it, each labelled by whom it
    takes (e.g. "answered «CV»"); a kind without choices can be given from the CLI only."""
    segment_filters: Mapping[str, Callable[[AppContext], SegmentFilter]] = field(
        default_factory=dict)
    """Filter kind (as in a segment's Membership, e.g. "rsvp") -> whom it names; a broadcast's
    segment takes them or everyone else, bot/features/broadcasts looks them up across features."""
    staff_dialogs: tuple[type[Any], ...] = ()
    """Its dialogs in the staff chat (e.g. /broadcast): services of `services` that are
    bot.staff_dialogs.model.StaffDialog; a staff member's next line or /cancel goes to the
    first open one, in feature order (bot/staff_dialogs/handlers.py)."""


def handlers_in(module: str) -> Callable[[Application[Any, Any, Any, Any, Any, Any], Settings],
                                         None]:
    """`Feature.handlers` for a feature whose Telegram module (e.g. "bot.features.cases.handlers")
    has `register(application, settings)`; the module is imported only when it is called."""

    def register(application: Application[Any, Any, Any, Any, Any, Any],
                 settings: Settings) -> None:
        import_module(module).register(application, settings)

    return register


def load_named_dialog(name: str) -> DialogSpec:
    """dialogs/<name>.toml, validated against its binding when the feature builds its runner."""
    return load_dialog(PROJECT_ROOT / "dialogs" / f"{name}.toml")
