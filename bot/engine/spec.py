"""Dialog definitions as data: parsed from dialogs/*.toml into frozen specs, then validated."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_ID = re.compile(r"^[a-z][a-z0-9_]{0,23}$")


class DialogError(ValueError):
    """A dialog file is inconsistent; raised at start so a broken dialog never reaches anyone."""


@dataclass(frozen=True, slots=True)
class ButtonSpec:
    id: str
    trigger: str
    label: str | None = None
    value: str | None = None
    toggle: str | None = None
    month_offset: int | None = None
    hidden_when: str | None = None
    """A session flag (e.g. "editing") that hides this button while it is set."""

    @property
    def payload(self) -> str:
        return self.value if self.value is not None else self.id


Rows = tuple[tuple[ButtonSpec, ...], ...]
"""A state's buttons: rows of buttons, as the keyboard shows them."""


@dataclass(frozen=True, slots=True)
class StateSpec:
    name: str
    prompt: str | None = None
    params: tuple[str, ...] = ()
    buttons: Rows = ()
    text_trigger: str | None = None
    max_length: int = 1000
    text_hint: str | None = None
    timeout: timedelta | None = None
    on_timeout: str | None = None
    rest: bool = False

    def button(self, button_id: str) -> ButtonSpec | None:
        return next((b for row in self.buttons for b in row if b.id == button_id), None)

    def all_buttons(self) -> Iterator[ButtonSpec]:
        for row in self.buttons:
            yield from row


@dataclass(frozen=True, slots=True)
class TransitionSpec:
    trigger: str
    sources: tuple[str, ...]
    dest: str
    conditions: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EntrySpec:
    """A way into the dialog from outside it, e.g. a /command."""

    name: str
    state: str
    actions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DialogSpec:
    name: str
    initial: str
    states: dict[str, StateSpec]
    transitions: tuple[TransitionSpec, ...]
    entries: dict[str, EntrySpec] = field(default_factory=dict)

    def msgids(self) -> Iterator[str]:
        """Every translatable string, for extraction and the catalogue check."""
        for state in self.states.values():
            for text in (state.prompt, state.text_hint):
                if text:
                    yield text
            for button in state.all_buttons():
                if button.label:
                    yield button.label


def parse_duration(text: str) -> timedelta:
    """'90s', '15m', '2h', '14d' -> timedelta; one unit keeps configuration readable."""
    match = _DURATION.match(text.strip())
    if not match:
        raise DialogError(f"bad duration {text!r}: use a number and s, m, h or d, e.g. '14d'")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def load_dialog(path: Path) -> DialogSpec:
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    try:
        return _parse(raw)
    except (KeyError, TypeError) as exc:
        raise DialogError(f"{path.name}: malformed ({exc!r})") from exc


@dataclass(frozen=True, slots=True)
class _Shared:
    """What a dialog file declares once for its states; resolved away while parsing."""

    where: str
    button_sets: dict[str, Rows]
    timeout: timedelta | None
    on_timeout: str | None
    timing_out: frozenset[str]
    """States with a transition on the default on_timeout trigger: they get the default."""


def _parse(raw: dict[str, Any]) -> DialogSpec:
    transitions = tuple(
        TransitionSpec(
            trigger=t["trigger"],
            sources=_as_tuple(t["source"]),
            dest=t["dest"],
            conditions=_as_tuple(t.get("conditions", ())),
            unless=_as_tuple(t.get("unless", ())),
            actions=_as_tuple(t.get("actions", ())),
        )
        for t in raw.get("transitions", ())
    )
    shared = _parse_shared(raw, transitions)
    states = {name: _parse_state(name, body, shared) for name, body in raw["states"].items()}
    entries = {
        name: EntrySpec(name, e["state"], _as_tuple(e.get("actions", ())))
        for name, e in raw.get("entries", {}).items()
    }
    return DialogSpec(raw["name"], raw["initial"], states, transitions, entries)


def _parse_shared(raw: dict[str, Any], transitions: tuple[TransitionSpec, ...]) -> _Shared:
    where = f"dialog {raw['name']!r}"
    defaults = raw.get("defaults", {})
    unknown = sorted(set(defaults) - {"timeout", "on_timeout"})
    if unknown:
        raise DialogError(f"{where}: [defaults] may set only timeout and on_timeout, "
                          f"not {', '.join(unknown)}")
    timeout, on_timeout = defaults.get("timeout"), defaults.get("on_timeout")
    if (timeout is None) != (on_timeout is None):
        raise DialogError(f"{where}: [defaults] timeout and on_timeout go together")
    return _Shared(
        where=where,
        button_sets={name: _parse_rows(body["buttons"])
                     for name, body in raw.get("button_sets", {}).items()},
        timeout=parse_duration(timeout) if timeout else None,
        on_timeout=on_timeout,
        timing_out=frozenset(source for t in transitions if t.trigger == on_timeout
                             for source in t.sources),
    )


def _parse_state(name: str, body: dict[str, Any], shared: _Shared) -> StateSpec:
    where = f"{shared.where}: state {name!r}"
    timeout = parse_duration(body["timeout"]) if body.get("timeout") else None
    on_timeout = body.get("on_timeout")
    if "timeout" not in body and "on_timeout" not in body and name in shared.timing_out:
        timeout, on_timeout = shared.timeout, shared.on_timeout
    return StateSpec(
        name=name,
        prompt=body.get("prompt"),
        params=_as_tuple(body.get("params", ())),
        buttons=_state_rows(where, body, shared.button_sets),
        text_trigger=body.get("text"),
        max_length=int(body.get("max_length", 1000)),
        text_hint=body.get("text_hint"),
        timeout=timeout,
        on_timeout=on_timeout,
        rest=bool(body.get("rest", False)),
    )


def _state_rows(where: str, body: dict[str, Any], button_sets: dict[str, Rows]) -> Rows:
    """A state's own `buttons`, or the named `button_set` it shares with other states."""
    if "button_set" not in body:
        return _parse_rows(body.get("buttons", ()))
    if "buttons" in body:
        raise DialogError(f"{where}: set buttons or button_set, not both")
    name = body["button_set"]
    if name not in button_sets:
        raise DialogError(f"{where}: unknown button set {name!r}")
    return button_sets[name]


def _parse_rows(rows: Iterable[Iterable[dict[str, Any]]]) -> Rows:
    return tuple(
        tuple(
            ButtonSpec(
                id=b["id"],
                trigger=b.get("trigger", "choose"),
                label=b.get("label"),
                value=b.get("value"),
                toggle=b.get("toggle"),
                month_offset=b.get("month_offset"),
                hidden_when=b.get("hidden_when"),
            )
            for b in row
        )
        for row in rows
    )


def _as_tuple(value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def validate(
    spec: DialogSpec,
    *,
    conditions: Collection[str],
    actions: Collection[str],
    params: Collection[str],
    is_translated: Callable[[str], bool],
) -> None:
    """Refuse a dialog with dangling names, dead states or untranslated text."""
    problems: list[str] = []
    names = set(spec.states)
    if spec.initial not in names:
        problems.append(f"initial state {spec.initial!r} is not defined")
    by_source: dict[str, set[str]] = {name: set() for name in names}
    for t in spec.transitions:
        for source in t.sources:
            if source not in names:
                problems.append(f"transition {t.trigger!r} from unknown state {source!r}")
            else:
                by_source[source].add(t.trigger)
        if t.dest not in names:
            problems.append(f"transition {t.trigger!r} to unknown state {t.dest!r}")
        problems += [f"unknown condition {c!r}" for c in (*t.conditions, *t.unless)
                     if c not in conditions]
        problems += [f"unknown action {a!r}" for a in t.actions if a not in actions]
    for entry in spec.entries.values():
        if entry.state not in names:
            problems.append(f"entry {entry.name!r} leads to unknown state {entry.state!r}")
        problems += [f"unknown action {a!r}" for a in entry.actions if a not in actions]
    for state in spec.states.values():
        problems += _state_problems(state, by_source[state.name], params)
    problems += [f"state {s!r} is unreachable" for s in sorted(names - _reachable(spec))]
    problems += [f"no Danish/English translation for {m!r}" for m in sorted(set(spec.msgids()))
                 if not is_translated(m)]
    if problems:
        raise DialogError(f"dialog {spec.name!r}: " + "; ".join(problems))


def _state_problems(state: StateSpec, triggers: set[str], params: Collection[str]) -> list[str]:
    where = f"state {state.name!r}"
    problems = [f"{where}: unknown param {p!r}" for p in state.params if p not in params]
    seen: set[str] = set()
    for button in state.all_buttons():
        if not _ID.match(button.id) or button.id in seen:
            problems.append(f"{where}: button id {button.id!r} is invalid or repeated")
        seen.add(button.id)
        if button.trigger not in triggers:
            problems.append(f"{where}: button {button.id!r} fires {button.trigger!r}, "
                            "which has no transition from here")
        if button.label is None and button.month_offset is None:
            problems.append(f"{where}: button {button.id!r} has no label")
    if state.text_trigger and state.text_trigger not in triggers:
        problems.append(f"{where}: text fires {state.text_trigger!r} with no transition")
    if (state.timeout is None) != (state.on_timeout is None):
        problems.append(f"{where}: timeout and on_timeout go together")
    if state.on_timeout and state.on_timeout not in triggers:
        problems.append(f"{where}: on_timeout {state.on_timeout!r} has no transition")
    return problems


def _reachable(spec: DialogSpec) -> set[str]:
    seen = {spec.initial, *(e.state for e in spec.entries.values())}
    frontier = list(seen)
    while frontier:
        current = frontier.pop()
        for t in spec.transitions:
            if current in t.sources and t.dest not in seen:
                seen.add(t.dest)
                frontier.append(t.dest)
    return seen
