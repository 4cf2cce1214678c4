"""How long a seat offer stays open: SEAT_OFFER_HOURS counted only outside quiet hours (and
quiet weekends), so an offer made on a Friday evening is not gone before anyone could read it."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.features.checkin.timing import ContactRules

STEP = timedelta(minutes=1)


def offer_window(rules: ContactRules, start: datetime,
                 window: timedelta) -> tuple[datetime, datetime]:
    """(when the offer may reach the citizen, when it runs out): the first moment outside quiet
    hours from `start`, and the moment `window` of time outside quiet hours has passed."""
    offered = moment = rules.next_allowed(start, None)
    left = window
    while left > timedelta(0):
        if rules.allowed(moment):
            step = min(STEP, left)
            moment += step
            left -= step
            continue
        following = rules.next_allowed(moment, None)
        if following == moment:  # quiet hours that never end: count the time anyway
            return offered, moment + left
        moment = following
    return offered, moment
