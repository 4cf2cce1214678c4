"""When demand grows: the waitlist for a kind of club (language and invite label) reaching
CLUB_WAITLIST_ALERT tells the coordinators in the staff chat, once, with a one-tap "Create a
club like this one" — the way Sønderborg went from 8 to 10 clubs. The copy's seats are offered
to those waiting at once. Never imports telegram."""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.features.clubs import wording
from bot.features.clubs.planning import ClubPlanner
from bot.features.clubs.service import ClubService
from bot.features.clubs.storage import ClubStore
from bot.features.staff import StaffService
from bot.features.staff.service import OUTREACH
from bot.i18n import Texts
from bot.outbox import Outbox, Priority
from bot.outbox.model import Message

log = logging.getLogger(__name__)
KIND = "club-demand"


class ClubDemand:
    def __init__(self, store: ClubStore, planner: ClubPlanner, clubs: ClubService,
                 staff: StaffService, outbox: Outbox, texts: Texts, clock: Clock, *,
                 threshold: int, staff_chat_id: int | None) -> None:
        self._store = store
        self._planner = planner
        self._clubs = clubs
        self._staff = staff
        self._outbox = outbox
        self._texts = texts
        self._clock = clock
        self._threshold = threshold
        self._chat = staff_chat_id

    async def check(self) -> int:
        """Sweep: alert for each kind whose waitlist reached the threshold and was not alerted
        yet; forget the alert once the waitlist is below it again. Returns alerts sent."""
        alerted = await self._store.alerted()
        sent = 0
        seen = set()
        for demand in await self._store.demand():
            seen.add(demand.kind)
            if demand.waiting < self._threshold:
                if demand.kind in alerted:
                    await self._store.clear_alerted(demand.kind)
                continue
            if demand.kind in alerted or self._chat is None:
                continue
            club = await self._store.club(demand.club_id)
            if club is None:
                continue
            _ = self._texts.staff
            label = _(wording.DEMAND_LABEL, label=club.invite_label) if club.invite_label else ""
            text = _(wording.DEMAND[club.locale], waiting=demand.waiting, label=label)
            await self._outbox.enqueue(
                self._chat, Message(text, (((_(wording.CREATE_LIKE),
                                             f"clublike|{club.id}"),),)),
                priority=Priority.STAFF, kind=KIND, ref=club.id)
            await self._store.set_alerted(demand.kind, demand.waiting, self._clock.now())
            log.info("club demand: %d waiting for kind of club %d", demand.waiting, club.id)
            sent += 1
        for kind in set(alerted) - seen:
            await self._store.clear_alerted(kind)
        return sent

    async def create_like(self, staff_id: int, club_id: int) -> str:
        """The alert's button (OUTREACH only): the copy, and its seats offered at once."""
        _ = self._texts.staff
        if not await self._staff.allowed(staff_id, OUTREACH):
            return _(wording.OUTREACH_ONLY)
        new_id, first = await self._planner.create_like(club_id, f"staff:{staff_id}")
        club = await self._store.club(new_id)
        assert club is not None
        log.info("club %d created like club %d by staff %d", new_id, club_id, staff_id)
        await self._clubs.fill(new_id)
        return _(wording.CREATED_LIKE, club=new_id, title=club.title(_.locale),
                 when=_.datetime(first))
