"""Invite codes for deep links in letters and SMS: random, single-use, labelled by campaign."""

from bot.features.invites.service import InviteService, Redemption, deep_link

__all__ = ["InviteService", "Redemption", "deep_link"]
