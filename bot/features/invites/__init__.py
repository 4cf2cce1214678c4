"""Invite codes for deep links in letters and SMS: random, single-use, labelled by campaign."""

from bot.features.invites.service import (
    Invite,
    InviteService,
    Redemption,
    deep_link,
    new_invites,
)

__all__ = ["Invite", "InviteService", "Redemption", "deep_link", "new_invites"]
