"""The features this bot runs, in order.

The order is the order of handlers within a stage (the front door's catch-alls must come last),
of the parts of /mydata and the staff header, and of the listeners to an event. Services are
built in the order they need one another, whatever their place here.
"""

from __future__ import annotations

from bot import staff_dialogs
from bot.feature import Feature
from bot.features import (
    audit,
    broadcasts,
    care,
    cases,
    checkin,
    citizens,
    clubs,
    dialogs,
    drafts,
    invites,
    onboarding,
    privacy,
    risk,
    staff,
    webinars,
    workspace,
)

FEATURES: tuple[Feature, ...] = (
    citizens.FEATURE,
    audit.FEATURE,
    staff.FEATURE,
    invites.FEATURE,
    risk.FEATURE,
    care.FEATURE,
    checkin.FEATURE,
    cases.FEATURE,
    workspace.FEATURE,
    privacy.FEATURE,
    onboarding.FEATURE,
    broadcasts.FEATURE,
    webinars.FEATURE,
    clubs.FEATURE,
    drafts.FEATURE,
    staff_dialogs.FEATURE,
    dialogs.FEATURE,  # last: every button and message no other feature claims lands here
)
