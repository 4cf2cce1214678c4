"""Invite codes for deep links in letters and SMS: random, single-use, labelled by campaign."""

from __future__ import annotations

from bot.feature import Feature
from bot.features.citizens import CitizenStore
from bot.features.invites.service import (
    Invite,
    InviteService,
    Redemption,
    deep_link,
    new_invites,
)
from bot.features.invites.storage import InviteStore

__all__ = ["FEATURE", "Invite", "InviteService", "Redemption", "deep_link", "new_invites"]

FEATURE = Feature(
    name="invites",
    services={InviteService: lambda app: InviteService(InviteStore(app.db),
                                                        app.get(CitizenStore), app.clock)},
)
