"""Drives a citizen through one dialog: load state, fire, run the feature's actions, save.

The runner knows nothing about what a dialog is for. A feature binds a dialog to its own
conditions, actions and screen values (a `DialogBinding`); adding a dialog is a .toml file plus
such a binding, with no change here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.clock import Clock
from bot.engine.machine import Condition, DialogMachine, Facts
from bot.engine.screen import Month, Phrase, Screen, ScreenButton, Value
from bot.engine.spec import ButtonSpec, DialogSpec, StateSpec, TransitionSpec, validate
from bot.engine.storage import Session, SessionStore
from bot.i18n import N_

CALLBACK_SEPARATOR = "|"
KEYBOARDS_KEPT = 4096
"""Keyboards built, per dialog, by what they depend on (a state has a few: toggles, months)."""
Mark = bool | str | None
"""A button's mark in a keyboard's key: _HIDDEN, ticked (True or False), or None."""
_HIDDEN = "hidden"
STALE_BUTTON = N_("This button is no longer active – here is where we are now.")


@dataclass(slots=True)
class ActionContext:
    """What an action may read and change; `forget` tells the runner the subject is gone."""

    subject_id: int
    data: dict[str, Any]
    value: str | None
    now: datetime
    forget: bool = False


Action = Callable[[ActionContext], Awaitable[None]]
ParamProvider = Callable[[int, dict[str, Any]], Awaitable[Value]]


@dataclass(frozen=True, slots=True)
class DialogBinding:
    """A feature's names for the dialog's conditions, actions and screen values."""

    conditions: Mapping[str, Condition] = field(default_factory=dict)
    actions: Mapping[str, Action] = field(default_factory=dict)
    params: Mapping[str, ParamProvider] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one input, for the Telegram layer to show."""

    screen: Screen | None
    moved: bool = True
    notice: Phrase | None = None
    forgotten: bool = False


class DialogRunner:
    def __init__(self, spec: DialogSpec, binding: DialogBinding, sessions: SessionStore,
                 clock: Clock, is_translated: Callable[[str], bool]) -> None:
        validate(spec, conditions=binding.conditions, actions=binding.actions,
                 params=binding.params, is_translated=is_translated)
        self.spec = spec
        self._binding = binding
        self._machine = DialogMachine(spec, binding.conditions)
        self._sessions = sessions
        self._clock = clock
        self._keyboards: dict[tuple[Any, ...], tuple[tuple[ScreenButton, ...], ...]] = {}

    @property
    def name(self) -> str:
        return self.spec.name

    def _mine(self, loaded: Session | None) -> Session | None:
        """A session the caller already read, if it belongs to this dialog (saves a query)."""
        return loaded if loaded is not None and loaded.dialog == self.name else None

    async def session(self, subject_id: int) -> Session | None:
        session = await self._sessions.load(subject_id)
        return session if session and session.dialog == self.name else None

    async def enter(self, subject_id: int, entry: str,
                    seed: dict[str, Any] | None = None) -> Outcome:
        """Jump to an entry state (from a /command), running its actions first; `seed` starts
        a fresh session with that data (e.g. which case a rating is for)."""
        spec = self.spec.entries[entry]
        session = (Session(self.name, self.spec.initial, dict(seed)) if seed is not None
                   else await self.session(subject_id) or Session(self.name, self.spec.initial))
        ctx = ActionContext(subject_id, session.data, None, self._clock.now())
        for name in spec.actions:
            await self._binding.actions[name](ctx)
        return await self._settle(session, spec.state, ctx)

    async def current(self, subject_id: int, notice: Phrase | None = None, *,
                      loaded: Session | None = None) -> Outcome:
        """Show the current step again, e.g. after a stale button or a restart."""
        session = self._mine(loaded) or await self.session(subject_id)
        if session is None:
            return replace(await self.enter(subject_id, "start"), notice=notice)
        screen = await self._screen(subject_id, session)
        return Outcome(screen, moved=False, notice=notice)

    async def press(self, subject_id: int, callback_data: str, *,
                    loaded: Session | None = None) -> Outcome:
        """A button press; anything not matching the current step is answered as stale."""
        parts = callback_data.split(CALLBACK_SEPARATOR)
        session = self._mine(loaded) or await self.session(subject_id)
        if session is None or len(parts) != 3 or parts[:2] != [self.name, session.state]:
            return await self.current(subject_id, Phrase(STALE_BUTTON))
        button = self.spec.states[session.state].button(parts[2])
        if button is None or _hidden(button, session.data):
            return await self.current(subject_id, Phrase(STALE_BUTTON))
        return await self._fire(subject_id, session, button.trigger, button.payload)

    async def text(self, subject_id: int, text: str, *,
                   loaded: Session | None = None) -> Outcome:
        """Free text: an answer where the step takes one, else a gentle hint and the step again."""
        session = self._mine(loaded) or await self.session(subject_id)
        if session is None:
            return await self.enter(subject_id, "start")
        state = self.spec.states[session.state]
        cleaned = text.strip()
        if state.text_trigger and cleaned and len(cleaned) <= state.max_length:
            return await self._fire(subject_id, session, state.text_trigger, cleaned)
        if state.rest and state.buttons:  # a resting screen (menu, /mydata) is not sent again
            return Outcome(None, moved=False, notice=Phrase(state.text_hint or _REST_HINT))
        return await self.current(subject_id, Phrase(state.text_hint or _DEFAULT_HINT))

    async def expire_due(self) -> int:
        """Fire on_timeout for every session past its step's deadline; returns how many."""
        now = self._clock.now()
        count = 0
        for due in await self._sessions.due_timeouts(now):
            if due.dialog != self.name:
                continue
            session = await self._sessions.load(due.citizen_id)
            trigger = self.spec.states[due.state].on_timeout
            if session is None or session.state != due.state or trigger is None:
                continue
            await self._fire(due.citizen_id, session, trigger, None)
            count += 1
        return count

    async def _fire(self, subject_id: int, session: Session, trigger: str,
                    value: str | None) -> Outcome:
        facts = Facts(session.data, value)
        transition = self._machine.fire(session.state, trigger, facts)
        if transition is None:
            return await self.current(subject_id, Phrase(STALE_BUTTON))
        ctx = ActionContext(subject_id, session.data, value, self._clock.now())
        await self._run(transition, ctx)
        return await self._settle(session, transition.dest, ctx)

    async def _run(self, transition: TransitionSpec, ctx: ActionContext) -> None:
        for name in transition.actions:
            await self._binding.actions[name](ctx)

    async def _settle(self, session: Session, dest: str, ctx: ActionContext) -> Outcome:
        moved = dest != session.state
        session.state = dest
        session.data = ctx.data
        state = self.spec.states[dest]
        session.timeout_at = ctx.now + state.timeout if state.timeout else None
        if ctx.forget:
            return Outcome(await self._screen(ctx.subject_id, session, with_params=False),
                           forgotten=True)
        await self._sessions.save(ctx.subject_id, session, ctx.now)
        return Outcome(await self._screen(ctx.subject_id, session), moved=moved)

    async def _screen(self, subject_id: int, session: Session,
                      with_params: bool = True) -> Screen:
        state = self.spec.states[session.state]
        params: dict[str, Value] = {}
        if with_params:
            for name in state.params:
                params[name] = await self._binding.params[name](subject_id, session.data)
        text: Value = Phrase(state.prompt, params) if state.prompt else ""
        marks, month = self._marks(state, session.data)
        key = (self.name, state.name, marks, month)
        rows = self._keyboards.get(key)
        if rows is None:
            if len(self._keyboards) >= KEYBOARDS_KEPT:
                self._keyboards.clear()
            rows = self._keyboards[key] = self._keyboard(state, marks, month)
        return Screen(self.name, state.name, text, rows, key)

    def _marks(self, state: StateSpec, data: dict[str, Any]) -> tuple[
            tuple[Mark, ...], int | None]:
        """All the keyboard depends on: each button's mark, and the month (counted from year 0)
        if a button names one."""
        marks: list[Mark] = []
        month = None
        for row in state.buttons:
            for button in row:
                if _hidden(button, data):
                    marks.append(_HIDDEN)
                else:
                    marks.append(button.payload in data.get(button.toggle, ())
                                 if button.toggle else None)
                if button.month_offset is not None and month is None:
                    now = self._clock.now()
                    month = now.year * 12 + now.month - 1
        return tuple(marks), month

    def _keyboard(self, state: StateSpec, marks: tuple[Mark, ...],
                  month: int | None) -> tuple[tuple[ScreenButton, ...], ...]:
        """The buttons the marks show, rows left empty dropped."""
        left = iter(marks)
        rows: list[tuple[ScreenButton, ...]] = []
        for row in state.buttons:
            shown: list[ScreenButton] = []
            for button in row:
                mark = next(left)
                if isinstance(mark, bool | None):  # not _HIDDEN
                    shown.append(self._button(state, button, mark, month))
            if shown:
                rows.append(tuple(shown))
        return tuple(rows)

    def _button(self, state: StateSpec, button: ButtonSpec, checked: bool | None,
                month: int | None) -> ScreenButton:
        label: Value
        if button.month_offset is not None and month is not None:
            index = month - button.month_offset
            label = Month(index // 12, index % 12 + 1)
        else:
            label = Phrase(button.label or "")
        callback = CALLBACK_SEPARATOR.join((self.name, state.name, button.id))
        return ScreenButton(label, callback, checked)


_DEFAULT_HINT = N_("Please choose one of the buttons below.")
_REST_HINT = N_("Please use the buttons above, or write /menu or /help.")


def _hidden(button: ButtonSpec, data: dict[str, Any]) -> bool:
    return button.hidden_when is not None and bool(data.get(button.hidden_when))
