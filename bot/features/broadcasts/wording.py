"""How a broadcast reads to staff: the preview, the progress message and the summary. Plain
text for the CLI and the staff chat alike; no Telegram here."""

from __future__ import annotations

import math
from datetime import datetime

from babel.numbers import format_decimal

from bot.features.broadcasts.model import (
    Attachment,
    Broadcast,
    BroadcastStatus,
    Counts,
    Exclusion,
    Preview,
)
from bot.features.citizens.labels import LANGUAGE_NAMES
from bot.i18n import N_, Translator
from bot.outbox.model import Buttons, MediaKind

NOT_ALLOWED = N_("Only coordinators and admins can do that.")
"""To a consultant (or anyone else but a coordinator or admin) in the staff chat."""
UNSUBSCRIBE_BUTTON = N_("No more webinar news")
UNSUBSCRIBED = N_("Done – you will get no more webinar news from us. Nothing else changes. "
                  "You can turn it on again with /menu.")

PREVIEW_TITLE = N_("Broadcast “{name}” – preview")
SEGMENT_SUMMARY = N_("Segment: {segment} · excluded {excluded} · will get it {recipients}")
RECIPIENTS = N_("Recipients: {count}")
LANGUAGE_LINE = N_("  {language}: {count}")
EXCLUDED = N_("Excluded: {count}")
EXCLUSION_LINE = N_("  {reason}: {count}")
EXCLUSIONS = {
    Exclusion.NO_CONSENT: N_("no consent to webinar news"),
    Exclusion.BLOCKED: N_("have blocked the bot"),
    Exclusion.UNKNOWN: N_("unknown numbers (never a citizen's)"),
    Exclusion.ERASED: N_("erased (the number no longer exists)"),
    Exclusion.WEEKLY_CAP: N_("weekly limit on messages reached"),
}
DELAYED = N_("Delayed by quiet hours until {time}: {count}")
SENDS_AT = N_("Sending starts: {time}")
FALLS_BACK = N_("No text in {language} for {count}: they get the {fallback} text.")
NO_TEXT = N_("No text in {language} for {count}: add it, or choose to send them the default "
             "language. It cannot be sent like this.")
PAID_COST = N_("Paid broadcast (BROADCAST_PAID): {count} messages at 0.1 Star each, about "
               "{stars} Stars")
MESSAGES_PER_STAR = 10  # Telegram's price with allow_paid_broadcast: 0.1 Star a message
ATTACHED = {
    MediaKind.PHOTO: N_("With image {file}"),
    MediaKind.DOCUMENT: N_("With document {file}"),
}
NO_FILE_NAME = N_("(no name)")
MESSAGE_HEADER = N_("— {language}, as the citizen sees it —")
BUTTON_LINE = N_("[ {label} ]")

REPORT_TITLE = N_("📣 Broadcast #{id} “{name}” – {status}")
STATUSES = {
    BroadcastStatus.DRAFT: N_("draft"),
    BroadcastStatus.SCHEDULED: N_("scheduled for {time}"),
    BroadcastStatus.SENDING: N_("sending"),
    BroadcastStatus.PAUSED: N_("paused"),
    BroadcastStatus.CANCELLED: N_("cancelled"),
    BroadcastStatus.DONE: N_("done"),
}
COUNTS = N_("Sent {sent} · pending {pending} (delayed {delayed}) · paused {held} · failed "
            "{failed} · blocked {blocked} · in doubt {uncertain} · cancelled {cancelled}")
RATE = N_("Rate {rate}/s · done by about {eta}")
RATE_ONLY = N_("Rate {rate}/s")
SUMMARY = N_("Of {total}: {sent} sent, {failed} failed, {blocked} had blocked the bot, {uncertain} "
             "in doubt (in flight at a restart, not sent again), {cancelled} cancelled.")
FAILURES = N_("Failures by reason:")
FAILURE_LINE = N_("  {reason}: {count}")
LIST_LINE = N_("#{id} “{name}” – {status} – {sent} of {total} sent")

PAUSE_BUTTON = N_("⏸ Pause")
RESUME_BUTTON = N_("▶️ Resume")
CANCEL_BUTTON = N_("✖️ Cancel")
CONTROL = "bcast"
"""Callback prefix of the staff buttons: `bcast|<pause|resume|cancel>|<id>`."""


def language_name(locale: str) -> str:
    return LANGUAGE_NAMES.get(locale, locale)


def render_preview(name: str, preview: Preview, _: Translator, *, paid: bool = False) -> str:
    """What the CLI prints: the facts, then each language's message as text."""
    lines = [render_facts(name, preview, _, paid=paid)]
    for locale, message in sorted(preview.messages.items()):
        lines += ["", _(MESSAGE_HEADER, language=language_name(locale)), message.text]
        lines += ["  ".join(_(BUTTON_LINE, label=label) for label, _data in row)
                  for row in message.buttons]
    return "\n".join(lines)


def render_facts(name: str, preview: Preview, _: Translator, *, paid: bool = False) -> str:
    """Who gets it, who is left out and why, when it goes (and its cost when paid): printed by
    the CLI, shown above the buttons of /broadcast's preview in the staff chat."""
    lines = [_(PREVIEW_TITLE, name=name),
             _(SEGMENT_SUMMARY, segment=preview.segment, excluded=sum(preview.excluded.values()),
               recipients=preview.recipients),
             _(RECIPIENTS, count=preview.recipients)]
    lines += [_(LANGUAGE_LINE, language=language_name(locale), count=count)
              for locale, count in sorted(preview.per_language.items())]
    lines.append(_(EXCLUDED, count=sum(preview.excluded.values())))
    lines += [_(EXCLUSION_LINE, reason=_(label), count=preview.excluded.get(reason, 0))
              for reason, label in EXCLUSIONS.items()]
    if preview.delayed:
        lines.append(_(DELAYED, time=_.datetime(preview.not_before), count=preview.delayed))
    else:
        lines.append(_(SENDS_AT, time=_.datetime(preview.not_before)))
    if preview.attachment is not None:
        lines.append(attachment_line(preview.attachment, _))
    for locale, count in sorted(preview.without_text.items()):
        lines.append(_(FALLS_BACK, language=language_name(locale), count=count,
                       fallback=language_name(preview.fallback)) if preview.fallback
                     else _(NO_TEXT, language=language_name(locale), count=count))
    if paid:
        lines.append(_(PAID_COST, count=preview.recipients,
                       stars=math.ceil(preview.recipients / MESSAGES_PER_STAR)))
    return "\n".join(lines)


def attachment_line(attachment: Attachment, _: Translator) -> str:
    """E.g. "With image photo.jpg, 120 kB"."""
    parts = [attachment.filename or _(NO_FILE_NAME)]
    if attachment.size is not None:
        parts.append(file_size(attachment.size, _))
    return _(ATTACHED[attachment.kind], file=", ".join(parts))


def file_size(size: int, _: Translator) -> str:
    """Bytes as kB below a megabyte, else as MB with one decimal (SI units, as Telegram's)."""
    if size < 1_000_000:
        return f"{max(1, round(size / 1000))} kB"
    return f"{format_decimal(round(size / 1_000_000, 1), locale=_.locale)} MB"


def render_report(broadcast: Broadcast, counts: Counts, rate: float | None,
                  eta: datetime | None, _: Translator) -> str:
    """The progress message while it runs, the summary once it is finished."""
    lines = [_(REPORT_TITLE, id=broadcast.id, name=broadcast.draft.name,
               status=status_label(broadcast, _))]
    if broadcast.finished_at is not None:
        lines.append(_(SUMMARY, total=counts.total, sent=counts.sent, failed=counts.failed,
                       blocked=counts.blocked, uncertain=counts.uncertain,
                       cancelled=counts.cancelled))
        if counts.failures:
            lines.append(_(FAILURES))
            lines += [_(FAILURE_LINE, reason=reason, count=count)
                      for reason, count in counts.failures]
        return "\n".join(lines)
    lines.append(_(COUNTS, sent=counts.sent, pending=counts.pending, delayed=counts.delayed,
                   held=counts.held, failed=counts.failed, blocked=counts.blocked,
                   uncertain=counts.uncertain, cancelled=counts.cancelled))
    if rate is not None:
        shown = f"{rate:.1f}"
        lines.append(_(RATE, rate=shown, eta=_.datetime(eta)) if eta else _(RATE_ONLY, rate=shown))
    return "\n".join(lines)


def render_line(broadcast: Broadcast, counts: Counts, _: Translator) -> str:
    return _(LIST_LINE, id=broadcast.id, name=broadcast.draft.name,
             status=status_label(broadcast, _), sent=counts.sent, total=counts.total)


def status_label(broadcast: Broadcast, _: Translator) -> str:
    return _(STATUSES[broadcast.status], time=_.datetime(broadcast.draft.send_at))


def control_buttons(broadcast: Broadcast, _: Translator) -> Buttons:
    """Pause or Resume, and Cancel, while there is something to stop; none once finished."""
    if broadcast.finished_at is not None or broadcast.status in (BroadcastStatus.CANCELLED,
                                                                  BroadcastStatus.DONE):
        return ()
    first = ((_(RESUME_BUTTON), f"{CONTROL}|resume|{broadcast.id}")
             if broadcast.status == BroadcastStatus.PAUSED
             else (_(PAUSE_BUTTON), f"{CONTROL}|pause|{broadcast.id}"))
    return ((first, (_(CANCEL_BUTTON), f"{CONTROL}|cancel|{broadcast.id}")),)
