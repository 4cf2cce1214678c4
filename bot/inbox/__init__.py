"""The durable inbox of updates (intake.py says why and how)."""

from bot.inbox.intake import Claim, Inbox, chat_key
from bot.inbox.storage import InboxStore

__all__ = ["Claim", "Inbox", "InboxStore", "chat_key"]
