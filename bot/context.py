"""The one object every handler gets: settings, database, clock, texts and services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from telegram.ext import CallbackContext

from bot.cache import ChangeNotes, StateCache
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.db_open import open_database
from bot.engine.router import DialogRouter
from bot.engine.storage import SessionStore
from bot.feature import Feature, StaffHeader, StoredData
from bot.features.cases import Case, CaseService
from bot.features.citizens import Citizen, CitizenStore, Purpose
from bot.i18n import Texts, Translator
from bot.lean_bot import LeanBot
from bot.outbox import Outbox
from bot.outbox.storage import OutboxStore
from bot.scheduler import Scheduler
from bot.scheduler.storage import TimerStore

T = TypeVar("T")
FIRST_DIALOG = "onboarding"
"""Where a citizen who is in no dialog yet is: the welcome."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AppContext:
    """The shared infrastructure by name, and each feature's services by type: `get(CaseService)`.

    Services are built from their feature's factory on first `get` (in the order they need one
    another); `open_app_context` builds them all before the first update, so a bad dialog or
    lexicon stops the start, not a citizen's message.
    """

    settings: Settings
    db: Database
    cache: StateCache
    """The bot's CitizenCache; in any other process (the CLI) ChangeNotes for the bot."""
    clock: Clock
    texts: Texts
    sessions: SessionStore
    router: DialogRouter
    outbox: Outbox
    scheduler: Scheduler
    features: tuple[Feature, ...]
    _services: dict[type[Any], Any] = field(default_factory=dict)
    _building: list[type[Any]] = field(default_factory=list)

    def get(self, kind: type[T]) -> T:
        found = self._services.get(kind)
        if found is not None:
            return found  # type: ignore[no-any-return]
        factory = next((f.services[kind] for f in self.features if kind in f.services), None)
        if factory is None:
            raise LookupError(f"no feature provides {kind.__name__}")
        if kind in self._building:
            chain = " -> ".join(k.__name__ for k in (*self._building, kind))
            raise RuntimeError(f"services need each other in a circle: {chain}")
        self._building.append(kind)
        try:
            service = self._services[kind] = factory(self)
        finally:
            self._building.pop()
        return service  # type: ignore[no-any-return]

    def build_all(self) -> None:
        for feature in self.features:
            for kind in feature.services:
                self.get(kind)

    async def stored_data(self, citizen_id: int) -> list[StoredData]:
        """Every feature's part of /mydata, in feature order."""
        return [await f.my_data(self)(citizen_id) for f in self.features if f.my_data]

    async def erase_parts(self, citizen_id: int) -> list[str]:
        """Every feature's step before the citizen is deleted; their notes for the audit log."""
        notes = [await f.erasure(self)(citizen_id) for f in self.features if f.erasure]
        return [note for note in notes if note]

    async def emit(self, event: str, *payload: Any) -> None:
        """Every feature listening to the event (bot/events.py), in feature order."""
        for feature in self.features:
            listener = feature.listens.get(event)
            if listener is not None:
                await listener(self)(*payload)

    async def case_details(self, case: Case) -> list[str]:
        """Every feature's lines for a case shown with /case."""
        return [line for f in self.features if f.case_details
                for line in await f.case_details(self)(case)]

    async def staff_header(self, citizen: Citizen, granted: frozenset[Purpose],
                           _: Translator) -> list[str]:
        """Every feature's lines about the citizen in a staff header."""
        parts: list[StaffHeader] = [f.staff_header(self) for f in self.features
                                    if f.staff_header]
        return [line for part in parts for line in await part(citizen, granted, _)]


class BotContext(CallbackContext[LeanBot, dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with the AppContext typed, so handlers never dig in bot_data.

    PTB builds one context per update and hands it to every handler group, so the citizen
    behind the update and whether a consultant holds them are looked up once per update.
    """

    _citizen: Citizen | None
    _citizen_known: bool
    _held: Case | None
    _held_known: bool

    @property
    def app(self) -> AppContext:
        return self.bot_data["app"]  # type: ignore[no-any-return]

    async def citizen_for(self, user_id: int) -> Citizen | None:
        if not getattr(self, "_citizen_known", False):
            self.remember(await self.app.get(CitizenStore).by_user(user_id))
        return self._citizen

    def remember(self, citizen: Citizen | None) -> None:
        self._citizen = citizen
        self._citizen_known = True

    async def held_case(self, citizen_id: int) -> Case | None:
        if not getattr(self, "_held_known", False):
            self._held = await self.app.get(CaseService).held(citizen_id)
            self._held_known = True
        return self._held


async def open_app_context(settings: Settings, clock: Clock, features: tuple[Feature, ...],
                           texts: Texts | None = None, db: Database | None = None,
                           cache: StateCache | None = None) -> AppContext:
    """Open the database, load texts and dialogs, and validate it all before the first update.

    Only the bot passes its `cache`; without one (the CLI), the stores note for the running bot
    every citizen they write about (bot/cache)."""
    texts = texts or Texts.load(settings.default_locale, settings.timezone,
                               settings.staff_locale)
    db = db or await open_database(settings)  # a bad path fails before the model
    try:
        cache = ChangeNotes.of(db, clock) if cache is None else cache
        return _build(settings, clock, texts, db, cache, features)
    except BaseException:
        await db.close()  # a half-built context must not keep the process alive
        raise


def _build(settings: Settings, clock: Clock, texts: Texts, db: Database, cache: StateCache,
           features: tuple[Feature, ...]) -> AppContext:
    sessions = SessionStore(db, cache)
    app = AppContext(
        settings=settings, db=db, cache=cache, clock=clock, texts=texts, sessions=sessions,
        router=DialogRouter(sessions, FIRST_DIALOG), outbox=Outbox(OutboxStore(db), clock),
        scheduler=Scheduler(TimerStore(db), clock), features=features)
    app.build_all()
    for feature in features:
        for runner in feature.dialogs(app) if feature.dialogs else ():
            app.router.add(runner)
        for kind, handler in feature.timers.items():
            app.scheduler.handle(kind, handler(app))
    app.router.check_default()
    return app
