"""Drafts in, feedback out: the citizen's dialog, the consultants' queue, Take, the feedback
collected in the topic and sent, questions and ratings, re-announcing what waits too long, and
deleting what is kept longer than the retention. Never imports telegram."""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.engine import DialogSpec, Facts
from bot.engine.runner import ActionContext, DialogBinding, DialogRunner, Outcome
from bot.engine.screen import Day, Lines, Phrase, Value
from bot.engine.storage import SessionStore
from bot.feature import StoredData
from bot.features.citizens import Citizen, CitizenStore, Purpose
from bot.features.citizens.consent_version import consent_text_version
from bot.features.drafts import wording as w
from bot.features.drafts.model import Draft, FileRef, Form, Kind, NewDraft, Status
from bot.features.drafts.reading import FileType, Sniff, detect, read
from bot.features.drafts.storage import DraftStore
from bot.features.drafts.virus import Clamd, Verdict
from bot.features.drafts.workdays import add_working_days, working_days_until
from bot.features.staff import StaffService
from bot.features.staff.service import CASEWORK
from bot.i18n import Refusal, Texts, Translator
from bot.local_time import parse_citizen_day
from bot.outbox import Outbox, Priority
from bot.outbox.model import Media, MediaKind, Message, OutboxItem

log = logging.getLogger(__name__)
DIALOG = "draft"
CONSENT_STATES = ("ask_consent",)
TAKES_FILES = frozenset({"ask_draft", "photos"})
"""The dialog's steps where a file or a photo is the draft."""
MAX_PHOTOS = 20
PREVIEW_CHARS = 3000
DIFF_CHARS = 3000
AD_CHARS = 1500
TEXT_LIMIT = 4096
"""Telegram's longest message text."""
PREVIEW_KIND = "draft_preview"
"""The outbox kind of page 1's PNG in the topic: once sent, its stored bytes are released."""


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int
    """The largest file taken (at most Telegram's download limit, reading.py)."""
    answer_days: int
    """Working days promised for an answer."""
    retention: timedelta
    """How long files and texts are kept after the feedback."""


@dataclass(frozen=True, slots=True)
class StaffAnswer:
    """What a staff button press is answered with (a short text, as an alert or not)."""

    text: str
    alert: bool = False


class DraftService:
    def __init__(self, spec: DialogSpec, sessions: SessionStore, store: DraftStore,
                 citizens: CitizenStore, staff: StaffService, outbox: Outbox, texts: Texts,
                 clock: Clock, zone: ZoneInfo, limits: Limits, staff_chat_id: int | None,
                 mention: str = "", sniff: Sniff | None = None,
                 scanner: Clamd | None = None) -> None:
        self.spec = spec
        self.store = store
        self._sessions = sessions
        self._citizens = citizens
        self._staff = staff
        self._outbox = outbox
        self._texts = texts
        self._clock = clock
        self._zone = zone
        self.limits = limits
        self._staff_chat = staff_chat_id
        self._mention = mention
        self._sniff = sniff
        self._scanner = scanner
        self.runner = DialogRunner(spec, self._binding(), sessions, clock,
                                   texts.translated_everywhere)

    # the citizen's way in ---------------------------------------------------------------
    async def start(self, citizen: Citizen) -> Outcome:
        """/feedback, the menu's button, a follow-up's offer: consent first if it is missing,
        then "a new version of …?" when they have sent a draft before."""
        drafts = await self.store.of_citizen(citizen.id)
        latest = drafts[-1] if drafts else None
        seed: dict[str, Any] = ({"latest": latest.id, "latest_ref": latest.ref}
                                if latest is not None else {})
        consents = await self._citizens.consents(citizen.id)
        record = consents.get(Purpose.FEEDBACK)
        if record is None or not record.granted:
            return await self.runner.enter(citizen.id, "consent", seed=seed)
        return await self.runner.enter(citizen.id, "version" if latest else "start", seed=seed)

    async def accepting(self, citizen_id: int) -> bool:
        """True at the step where a file or photo is the draft."""
        session = await self.runner.session(citizen_id)
        return session is not None and session.state in TAKES_FILES

    def size_problem(self, size: int | None) -> Refusal | None:
        """Checked before the file is fetched: Telegram says how big it is."""
        if size is not None and size > self.limits.max_bytes:
            return Refusal(w.TOO_BIG, limit=self.limits.max_bytes // 1_000_000)
        return None

    async def refused(self, citizen_id: int, refusal: Refusal) -> Outcome:
        """The step again, with why the file was not taken."""
        return await self.runner.current(
            citizen_id, Phrase(refusal.msgid, {k: str(v) for k, v in refusal.params.items()}))

    async def photo(self, citizen_id: int, photo: FileRef) -> Outcome:
        """One more page of a paper draft; Done sends them all as one draft."""
        session = await self.runner.session(citizen_id)
        if session is None or session.state not in TAKES_FILES:
            return await self.runner.current(citizen_id)
        pages = session.data.setdefault("photos", [])
        if len(pages) < MAX_PHOTOS:
            pages.append(photo.to_json())
        await self._sessions.save(citizen_id, session, self._clock.now())
        return await self.runner.enter(citizen_id, "photo")

    async def document(self, citizen_id: int, file: FileRef, content: bytes) -> Outcome:
        """A file as the draft: its type by its bytes, the virus scan (when clamd is set up),
        its text and a PDF's page 1 for the preview (a file that cannot be read still goes to
        the consultant); an image file counts as a photo."""
        if len(content) > self.limits.max_bytes:  # Telegram did not say its size before
            return await self.refused(citizen_id, Refusal(
                w.TOO_BIG, limit=self.limits.max_bytes // 1_000_000))
        same = await self.store.has_file(citizen_id, file.unique_id)
        if same is not None:  # before anything reads it again
            return await self.refused(citizen_id, Refusal(w.SAME_FILE, ref=same.ref))
        try:
            kind = detect(content, self._sniff)
            scanned = await self._scan(citizen_id, content)
            if kind is FileType.IMAGE:
                return await self.photo(citizen_id, replace(
                    file, kind=MediaKind.DOCUMENT.value, size=len(content), type=kind.value,
                    scanned=scanned))
            reading = await read(kind, content)
        except Refusal as refusal:
            return await self.refused(citizen_id, refusal)
        session = await self.runner.session(citizen_id)
        if session is None or session.state not in TAKES_FILES:
            return await self.runner.current(citizen_id)
        preview = (await self._outbox.add_file(MediaKind.PHOTO, "page-1.png", reading.preview)
                   if reading.preview else None)
        typed = replace(file, kind=MediaKind.DOCUMENT.value, size=len(content), type=kind.value,
                        scanned=scanned, preview=preview)
        session.data.pop("photos", None)
        await self._submit(citizen_id, session.data, Form.DOCUMENT, (typed,), reading.text,
                           self._clock.now())
        await self._sessions.save(citizen_id, session, self._clock.now())
        return await self.runner.enter(citizen_id, "sent")

    async def _scan(self, citizen_id: int, content: bytes) -> bool:
        """True: clamd found the file clean; False: no scanner is set up. Refusal when it
        found a virus, and when it cannot be asked now (fail closed: a scanner that is set
        up but down forwards nothing; the citizen may try again, paste the text or send
        photos)."""
        if self._scanner is None:
            return False
        scan = await self._scanner.scan(content)
        if scan.verdict is Verdict.CLEAN:
            return True
        if scan.verdict is Verdict.INFECTED:
            log.warning("draft file of citizen %d refused: clamd found %s; nothing forwarded",
                        citizen_id, scan.signature)
            raise Refusal(w.INFECTED)
        log.warning("draft file of citizen %d refused: no virus scan possible now", citizen_id)
        raise Refusal(w.SCAN_DOWN)

    # the dialog's actions -----------------------------------------------------------------
    def _binding(self) -> DialogBinding:
        return DialogBinding(
            conditions={"has_latest": lambda facts: bool(facts.data.get("latest")),
                        "valid_deadline": self._valid_deadline},
            actions={"save_consent": self._save_consent, "as_new_version": self._as_new_version,
                     "save_kind": self._save("kind"), "save_ad": self._save("job_ad"),
                     "save_deadline": self._save_deadline, "save_wishes": self._save("wishes"),
                     "submit_text": self._submit_text, "submit_photos": self._submit_photos,
                     "forget_photos": self._forget_photos, "save_rating": self._save_rating,
                     "send_question": self._send_question},
            params={"retention": self._retention_days, "latest": self._latest,
                    "limit": self._limit, "expect": self._expect_param,
                    "ref": self._ref, "pages": self._pages})

    def _valid_deadline(self, facts: Facts) -> bool:
        return parse_citizen_day(facts.value or "", self._today()) is not None

    def _today(self) -> date:
        return self._clock.now().astimezone(self._zone).date()

    @staticmethod
    def _save(key: str) -> Any:
        async def save(ctx: ActionContext) -> None:
            ctx.data[key] = ctx.value

        return save

    async def _save_deadline(self, ctx: ActionContext) -> None:
        deadline = parse_citizen_day(ctx.value or "", self._today())
        ctx.data["deadline"] = deadline.isoformat() if deadline else None

    async def _save_consent(self, ctx: ActionContext) -> None:
        citizen = await self._citizens.by_id(ctx.subject_id)
        locale = citizen.locale if citizen else self._texts.default_locale
        version = consent_text_version(self.spec, CONSENT_STATES, self._texts.get(locale),
                                       f"{DIALOG}-{locale}")
        await self._citizens.record_consents(ctx.subject_id, {Purpose.FEEDBACK: True}, version,
                                             ctx.now)

    async def _as_new_version(self, ctx: ActionContext) -> None:
        """A new version keeps what the first said: kind, ad, deadline and wishes."""
        previous = await self.store.get(int(ctx.data.get("latest") or 0))
        if previous is None or previous.citizen_id != ctx.subject_id:
            return
        ctx.data.update(previous=previous.id, kind=previous.kind.value, job_ad=previous.job_ad,
                        wishes=previous.wishes,
                        deadline=previous.deadline.isoformat() if previous.deadline else None)

    async def _submit_text(self, ctx: ActionContext) -> None:
        await self._submit(ctx.subject_id, ctx.data, Form.TEXT, (), ctx.value, ctx.now)

    async def _submit_photos(self, ctx: ActionContext) -> None:
        pages = tuple(FileRef.from_json(p) for p in ctx.data.pop("photos", []))
        await self._submit(ctx.subject_id, ctx.data, Form.PHOTOS, pages, None, ctx.now)

    async def _forget_photos(self, ctx: ActionContext) -> None:
        ctx.data.pop("photos", None)

    async def _save_rating(self, ctx: ActionContext) -> None:
        if ctx.value and ctx.value.isdigit() and 1 <= int(ctx.value) <= 5:
            await self.store.rate(int(ctx.data.get("draft") or 0), ctx.subject_id,
                                  int(ctx.value))

    async def _send_question(self, ctx: ActionContext) -> None:
        """To the consultant who answered, in the citizen's topic; the draft is theirs again
        until they send the answer."""
        draft = await self.store.get(int(ctx.data.get("draft") or 0))
        if (draft is None or draft.citizen_id != ctx.subject_id or draft.taken_by is None
                or self._staff_chat is None):
            return
        await self.store.reopen(draft.id)
        _ = self._texts.staff
        name = await self._staff.name_of(draft.taken_by)
        await self._outbox.enqueue(
            self._staff_chat,
            Message(_(w.QUESTION, ref=draft.ref, name=name, question=ctx.value or ""),
                    (((_(w.SEND), f"draft|send|{draft.id}"),),), topic_of=draft.citizen_id),
            priority=Priority.STAFF, kind="draft_question", citizen_id=draft.citizen_id)
        log.info("draft %d: a question from citizen %d", draft.id, draft.citizen_id)

    async def _submit(self, citizen_id: int, data: dict[str, Any], form: Form,
                      files: tuple[FileRef, ...], body: str | None, now: datetime) -> None:
        """Store the draft, tell the staff chat, and leave the reference in the session."""
        citizen = await self._citizens.by_id(citizen_id)
        deadline = data.get("deadline")
        new = NewDraft(
            citizen_id=citizen_id, kind=Kind(data.get("kind") or Kind.APPLICATION.value),
            locale=citizen.locale if citizen else self._texts.default_locale, form=form,
            files=files, body=body, job_ad=data.get("job_ad"),
            deadline=date.fromisoformat(deadline) if deadline else None,
            wishes=data.get("wishes"), previous=data.get("previous"))
        draft = await self._add(new, now)
        data.clear()
        data.update(draft=draft.id, ref=draft.ref)
        log.info("draft %d: version %d from citizen %d (%s, %d file(s))", draft.id,
                 draft.version, citizen_id, form.value, len(files))
        await self._announce(draft, w.NEW, key=f"draft-new:{draft.id}")

    async def _add(self, new: NewDraft, now: datetime) -> Draft:
        due = add_working_days(now, self.limits.answer_days, self._zone)
        previous = await self.store.get(new.previous) if new.previous else None
        if previous is None or previous.citizen_id != new.citizen_id:
            return await self.store.add(new, 1, None, now, due)
        versions = await self.store.series(previous.series)
        return await self.store.add(new, max(v.version for v in versions) + 1,
                                    previous.series, now, due)

    # the dialog's screen values ---------------------------------------------------------
    async def _retention_days(self, _citizen: int, _data: dict[str, Any]) -> Value:
        return self.limits.retention.days

    async def _latest(self, _citizen: int, data: dict[str, Any]) -> Value:
        return str(data.get("latest_ref") or "")

    async def _limit(self, _citizen: int, _data: dict[str, Any]) -> Value:
        return self.limits.max_bytes // 1_000_000

    async def _ref(self, _citizen: int, data: dict[str, Any]) -> Value:
        return str(data.get("ref") or "")

    async def _pages(self, _citizen: int, data: dict[str, Any]) -> Value:
        return len(data.get("photos", []))

    async def _expect_param(self, _citizen: int, data: dict[str, Any]) -> Value:
        """Before sending: what to expect from now; once sent: what was promised."""
        now = self._clock.now()
        draft = await self.store.get(int(data["draft"])) if data.get("draft") else None
        if draft is not None:
            return self.expectation(draft.deadline, draft.due_at, draft.received_at)
        deadline = data.get("deadline")
        return self.expectation(date.fromisoformat(deadline) if deadline else None,
                                add_working_days(now, self.limits.answer_days, self._zone), now)

    def expectation(self, deadline: date | None, due: datetime, now: datetime) -> Value:
        """The answer time in working days, and honestly whether it may come too late."""
        lines: list[Value] = [Phrase(w.EXPECT, {"days": self.limits.answer_days,
                                                "due": Day(due)})]
        if deadline is not None:
            shown = Day(datetime.combine(deadline, time(12), self._zone))
            if working_days_until(now, deadline, self._zone) < 2:
                lines.append(Phrase(w.DEADLINE_CLOSE, {"deadline": shown}))
            elif due.astimezone(self._zone).date() > deadline:
                lines.append(Phrase(w.DEADLINE_BEFORE, {"deadline": shown}))
        return Lines(tuple(lines))

    # the consultants' side --------------------------------------------------------------
    async def may(self, staff_id: int) -> bool:
        return await self._staff.allowed(staff_id, CASEWORK)

    async def queue(self) -> tuple[str, tuple[tuple[tuple[str, str], ...], ...]]:
        """/drafts: the waiting drafts, nearest deadline first, then the oldest, each with its
        Take button."""
        _ = self._texts.staff
        waiting = await self.store.waiting(limit=20)
        if not waiting:
            return _(w.QUEUE_EMPTY), ()
        lines = [_(w.QUEUE), *(f"• {self.line(d, _)}" for d in waiting)]
        buttons = tuple(((_(w.TAKE_REF, ref=d.ref), f"draft|take|{d.id}"),) for d in waiting)
        return "\n".join(lines), buttons

    def line(self, draft: Draft, _: Translator) -> str:
        waited = self._clock.now() - draft.received_at
        hours = int(waited.total_seconds() // 3600)
        waiting = (_(w.WAITING_DAYS, days=hours // 24, hours=hours % 24) if hours >= 24
                   else _(w.WAITING_HOURS, hours=hours))
        deadline = (_.date(datetime.combine(draft.deadline, time(12), self._zone))
                    if draft.deadline else _(w.NO_DEADLINE))
        return _(w.LINE, ref=draft.ref, kind=_(w.KINDS[draft.kind]), language=draft.locale,
                 version=draft.version, deadline=deadline, waiting=waiting)

    async def _announce(self, draft: Draft, msgid: str, key: str) -> None:
        if self._staff_chat is None:
            return
        _ = self._texts.staff
        text = _(msgid, line=self.line(draft, _), due=_.datetime(draft.due_at))
        if self._mention and msgid == w.OVERDUE:
            text = f"{self._mention} {text}"
        await self._outbox.enqueue(
            self._staff_chat, Message(text, (((_(w.TAKE), f"draft|take|{draft.id}"),),)),
            priority=Priority.STAFF, kind="draft_announce", key=key)

    async def take(self, staff_id: int, draft_id: int) -> StaffAnswer:
        """Take: the draft is this consultant's, and everything about it goes to the citizen's
        topic (the file, the text, the ad, what changed, the earlier feedback)."""
        _ = self._texts.staff
        if not await self.may(staff_id):
            return StaffAnswer(_(w.NOT_ALLOWED), alert=True)
        draft = await self.store.get(draft_id)
        if draft is None:
            return StaffAnswer(_(w.GONE), alert=True)
        if not await self.store.take(draft_id, staff_id, self._clock.now()):
            name = await self._staff.name_of(draft.taken_by) if draft.taken_by else "?"
            return StaffAnswer(_(w.TAKEN_ALREADY, name=name), alert=True)
        log.info("draft %d: taken by staff %d", draft_id, staff_id)
        await self._show_in_topic(draft, await self._staff.name_of(staff_id))
        return StaffAnswer(_(w.TAKEN))

    async def _show_in_topic(self, draft: Draft, name: str) -> None:
        if self._staff_chat is None:
            return
        _ = self._texts.staff
        deadline = (_.date(datetime.combine(draft.deadline, time(12), self._zone))
                    if draft.deadline else _(w.NO_DEADLINE))
        header = [_(w.HEADER, ref=draft.ref, version=draft.version, kind=_(w.KINDS[draft.kind]),
                    name=name, due=_.datetime(draft.due_at), deadline=deadline)]
        if draft.wishes:
            header.append(_(w.WISHES, wishes=draft.wishes))
        if draft.job_ad:
            header.append(_(w.JOB_AD, ad=_cut(draft.job_ad, AD_CHARS)))
        scans = [f.scanned for f in draft.files if f.scanned is not None]
        if scans:
            header.append(_(w.SCANNED) if all(scans) else _(w.NOT_SCANNED))
        texts = ["\n\n".join(header)]
        if draft.form is not Form.PHOTOS:
            texts.append(f"{_(w.PREVIEW)}\n\n{_cut(draft.body, PREVIEW_CHARS)}" if draft.body
                         else _(w.NO_PREVIEW))
        versions = await self.store.series(draft.series)
        earlier = [v for v in versions if v.version < draft.version]
        if earlier and draft.body is not None and earlier[-1].body is not None:
            texts.append(_changes(earlier[-1], draft, _))
        chat = self._staff_chat

        async def send(message: Message) -> None:
            await self._outbox.enqueue(chat, message, priority=Priority.STAFF,
                                       kind="draft_topic", citizen_id=draft.citizen_id)

        for file in draft.files:  # the citizen's own message: nothing is uploaded again
            await send(Message(topic_of=draft.citizen_id,
                               copy_from=(file.chat_id, file.message_id)))
            if file.preview is not None:
                await self._outbox.enqueue(
                    chat, Message(_(w.PAGE_ONE), topic_of=draft.citizen_id, media=Media(
                        MediaKind.PHOTO, upload_id=file.preview,
                        filename=f"{draft.ref}-page-1.png")),
                    priority=Priority.STAFF, kind=PREVIEW_KIND, citizen_id=draft.citizen_id)
        feedback = [(version, await self.store.sent_replies(version.id)) for version in earlier]
        feedback = [(version, replies) for version, replies in feedback if replies]
        if not feedback:  # the Send feedback button under the last text: fewer messages
            texts.append(_(w.HOW_TO))
        button = (((_(w.SEND), f"draft|send|{draft.id}"),),)
        packed = _packed(texts, TEXT_LIMIT)
        for number, text in enumerate(packed, 1):
            last = number == len(packed) and not feedback
            await send(Message(text, button if last else (), topic_of=draft.citizen_id))
        for version, replies in feedback:
            await send(Message(_(w.EARLIER, version=version.version), topic_of=draft.citizen_id))
            for chat_id, message_id in replies:
                await send(Message(topic_of=draft.citizen_id, copy_from=(chat_id, message_id)))
        if feedback:
            await send(Message(_(w.HOW_TO), button, topic_of=draft.citizen_id))

    async def staff_wrote(self, staff_id: int, citizen_id: int, chat_id: int, message_id: int,
                          text: str) -> bool:
        """A consultant's message in the topic of a citizen whose draft they took: part of
        the feedback (True), unless it is an internal // line."""
        if text.startswith("//"):
            return False
        draft = await self.store.taken_by(citizen_id, staff_id)
        if draft is None:
            return False
        await self.store.add_reply(draft.id, staff_id, chat_id, message_id, self._clock.now())
        return True

    async def send_feedback(self, staff_id: int, draft_id: int) -> StaffAnswer:
        """Send feedback: what the consultant wrote since Take (or since the citizen's
        question) goes to the citizen, then the rating and question buttons."""
        _ = self._texts.staff
        draft = await self.store.get(draft_id)
        if draft is None:
            return StaffAnswer(_(w.GONE), alert=True)
        if draft.status is not Status.TAKEN:
            return StaffAnswer(_(w.NOT_OPEN), alert=True)
        if draft.taken_by != staff_id:
            name = await self._staff.name_of(draft.taken_by) if draft.taken_by else "?"
            return StaffAnswer(_(w.NOT_YOURS, name=name), alert=True)
        replies = await self.store.unsent_replies(draft_id)
        citizen = await self._citizens.by_id(draft.citizen_id)
        if citizen is None:
            return StaffAnswer(_(w.GONE), alert=True)
        if not replies:
            return StaffAnswer(_(w.WRITE_FIRST), alert=True)
        for reply_id, chat_id, message_id in replies:
            await self._outbox.enqueue(
                citizen.chat_id, Message(copy_from=(chat_id, message_id)),
                priority=Priority.RELAY, kind="draft_feedback", citizen_id=citizen.id,
                key=f"draft-feedback:{reply_id}", at_most_once=True)
        await self.store.mark_answered(draft_id, [r[0] for r in replies], self._clock.now())
        outcome = await self.runner.enter(citizen.id, "answered",
                                          seed={"draft": draft.id, "ref": draft.ref})
        assert outcome.screen is not None
        await self._outbox.enqueue(
            citizen.chat_id, Message.from_screen(outcome.screen, self._texts.get(citizen.locale)),
            priority=Priority.RELAY, kind="draft_answered", citizen_id=citizen.id,
            key=f"draft-answered:{draft.id}:{replies[-1][0]}", at_most_once=True)
        log.info("draft %d: feedback sent by staff %d (%d message(s))", draft_id, staff_id,
                 len(replies))
        return StaffAnswer(_(w.SENT, ref=draft.ref))

    # sweeps -------------------------------------------------------------------------------
    async def reannounce_overdue(self) -> int:
        """Drafts nobody took within the promised time: told once more to the staff chat."""
        count = 0
        now = self._clock.now()
        for draft in await self.store.overdue_unannounced(now):
            if await self.store.mark_reannounced(draft.id, now):
                await self._announce(draft, w.OVERDUE, key=f"draft-overdue:{draft.id}")
                log.info("draft %d: not taken within the promised time; announced again",
                         draft.id)
                count += 1
        return count

    async def preview_sent(self, item: OutboxItem, _message_id: int) -> None:
        """Page 1 is in the topic: Telegram has the picture, the bot keeps no copy."""
        if item.message.media is not None and item.message.media.upload_id is not None:
            await self._outbox.store.release_file(item.message.media.upload_id)

    async def _release_previews(self, files: list[FileRef]) -> None:
        for file in files:
            if file.preview is not None:
                await self._outbox.store.release_file(file.preview)

    async def before_erasure(self, citizen_id: int) -> None:
        """The drafts go with the citizen (ON DELETE CASCADE); page 1's picture of any draft
        not taken yet is stored apart, so it goes here."""
        await self._release_previews(
            [f for d in await self.store.of_citizen(citizen_id) for f in d.files])

    async def purge_expired(self) -> int:
        """Retention: files, texts, pictures and feedback references of drafts answered
        longer ago than the retention setting."""
        now = self._clock.now()
        cutoff = now - self.limits.retention
        await self._release_previews(await self.store.files_answered_before(cutoff))
        purged = await self.store.purge_answered_before(cutoff, now)
        if purged:
            log.info("drafts: %d past the retention deleted", purged)
        return purged

    # the citizen's data -------------------------------------------------------------------
    async def stored_data(self, citizen_id: int) -> StoredData:
        lines: list[Value] = []
        for draft in await self.store.of_citizen(citizen_id):
            lines.append(Phrase(w.MY_DATA_PURGED if draft.purged else w.MY_DATA_LINE, {
                "ref": draft.ref, "version": draft.version, "kind": Phrase(w.KINDS[draft.kind]),
                "when": Day(draft.received_at), "status": Phrase(w.STATUSES[draft.status])}))
        return StoredData(lines)


def _cut(text: str | None, limit: int) -> str:
    text = text or ""
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def _packed(texts: list[str], limit: int) -> list[str]:
    """The texts joined into as few messages of at most `limit` characters as they fit in:
    the staff group takes one message every 3 s (bot/outbox/budget.py)."""
    packed: list[str] = []
    for text in texts:
        if packed and len(packed[-1]) + 2 + len(text) <= limit:
            packed[-1] = f"{packed[-1]}\n\n{text}"
        else:
            packed.append(text)
    return packed


def _changes(before: Draft, after: Draft, _: Translator) -> str:
    """A line diff of the two versions' texts, as the consultant's "what changed"."""
    diff = [line for line in difflib.unified_diff(
        (before.body or "").splitlines(), (after.body or "").splitlines(), lineterm="", n=0)
        if not line.startswith(("---", "+++", "@@"))]
    if not diff:
        return _(w.NO_CHANGES, version=before.version)
    return f"{_(w.CHANGES, version=before.version)}\n\n{_cut(chr(10).join(diff), DIFF_CHARS)}"
