"""The one dialog engine: specs are data (dialogs/*.toml), machines shared, state in the DB."""

from bot.engine.machine import Condition, DialogMachine, Facts
from bot.engine.spec import (
    ButtonSpec,
    DialogError,
    DialogSpec,
    EntrySpec,
    StateSpec,
    TransitionSpec,
    load_dialog,
    parse_duration,
    validate,
)

__all__ = [
    "ButtonSpec",
    "Condition",
    "DialogError",
    "DialogMachine",
    "DialogSpec",
    "EntrySpec",
    "Facts",
    "StateSpec",
    "TransitionSpec",
    "load_dialog",
    "parse_duration",
    "validate",
]
