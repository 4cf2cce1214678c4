"""Which wording a consent was given to: a version derived from the exact texts shown, so a
reworded consent text gets a new version."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from bot.engine import DialogSpec
from bot.i18n import Translator


def consent_text_version(spec: DialogSpec, states: Iterable[str], _: Translator,
                         prefix: str) -> str:
    """`<prefix>-<10 hex digits>` over the prompts and button labels of these states, as the
    citizen read them."""
    names = tuple(states)
    shown = [spec.states[s].prompt or "" for s in names]
    shown += [b.label or "" for s in names for b in spec.states[s].all_buttons()]
    digest = hashlib.sha256("\x1f".join(_(m) for m in shown).encode()).hexdigest()
    return f"{prefix}-{digest[:10]}"
