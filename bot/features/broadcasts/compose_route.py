"""The order of /broadcast's steps: where Next (or a step's answer) leads and where Back does.
A step is named by its token ("segment", or "text:da" for one language's text). No Telegram."""

from __future__ import annotations

from collections.abc import Sequence

from bot.features.broadcasts.compose_state import Composing, Step

SEGMENT_PARTS = frozenset({Step.LABEL, Step.JOINED, Step.CITIZENS, Step.MEMBERS})
"""Sub-steps of the segment: each returns to it."""


def after(c: Composing, locales: Sequence[str]) -> str:
    """On to the following step, or back to the preview for a step reached from Edit."""
    if c.editing:
        return Step.PREVIEW
    if c.step is Step.NAME:
        return f"{Step.TEXT}:{locales[0]}"
    if c.step is Step.TEXT:
        following = locales[locales.index(c.locale or locales[0]) + 1:]
        return f"{Step.TEXT}:{following[0]}" if following else Step.ATTACHMENT
    return Step.BUTTONS if c.step is Step.ATTACHMENT else Step.SEGMENT


def before(c: Composing, locales: Sequence[str]) -> str:
    if c.step in SEGMENT_PARTS:
        return Step.SEGMENT
    if c.step in (Step.SCHEDULE, Step.EDIT):
        return Step.PREVIEW
    if c.editing:
        return Step.EDIT
    if c.step is Step.TEXT:
        index = locales.index(c.locale or locales[0])
        return f"{Step.TEXT}:{locales[index - 1]}" if index else Step.NAME
    earlier = {Step.ATTACHMENT: f"{Step.TEXT}:{locales[-1]}",
               Step.BUTTONS: Step.ATTACHMENT, Step.SEGMENT: Step.BUTTONS}
    return earlier.get(c.step, Step.NAME)


def editable(locales: Sequence[str]) -> tuple[str, ...]:
    """What Edit offers to change, in order."""
    return (Step.NAME, *(f"{Step.TEXT}:{loc}" for loc in locales), Step.ATTACHMENT,
            Step.BUTTONS, Step.SEGMENT)
