"""How /broadcast's dialog reads in the staff chat: each step's prompt and buttons, in the staff
language. No Telegram here; rows of (label, callback data) as the outbox has them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.features.broadcasts.compose_state import Composing, Step
from bot.features.broadcasts.model import Attachment, Membership, Segment
from bot.features.broadcasts.wording import CANCEL_BUTTON, language_name
from bot.i18n import N_, Translator
from bot.outbox.model import Buttons, MediaKind

PREFIX = "bcc"
"""Callback data of the dialog's buttons: `bcc|<compose id>|<step>|<action>[|<index>]`."""
PATTERN = (rf"^{PREFIX}\|\d{{1,18}}\|[a-z]+(:[a-z]+)?"
           r"\|[a-z]+(\|\d{1,18})?$")
LOOK = f"{PREFIX}|look"
"""The buttons under the preview's messages in the staff chat: labelled as citizens see
them, and only answered with PREVIEW_ONLY."""

NAME_PROMPT = N_("📣 New broadcast, step 1 of 6: its name, for you and your colleagues "
                 "(citizens do not see it). Write it as your next message here.")
NOW_NAME = N_("Now: «{name}»")
TEXT_PROMPT = N_("📣 «{name}», step 2 of 6: the text in {language}, exactly as citizens should "
                 "read it (at most 4096 characters; 1024 with an image or document). Write it "
                 "as your next message here, or skip {language}.")
NOW_TEXT = N_("Now ({count} characters): «{start}»")
ATTACHMENT_PROMPT = N_("📣 «{name}», step 3 of 6: an image or a document with the message? "
                       "Send a photo or a file as your next message here, or choose no "
                       "attachment. With one, each text is its caption: at most 1024 "
                       "characters.")
NOW_ATTACHMENT = N_("Now: {attachment}")
PHOTO = N_("an image")
DOCUMENT = N_("the file {filename}")
BUTTONS_PROMPT = N_("📣 «{name}», step 4 of 6: buttons under the message – tap one to switch it "
                    "on or off. “No more webinar news” is always there.")
NO_CHOICES = N_("There are no buttons to add right now (e.g. no webinar has a session still "
                "to come).")
SEGMENT_PROMPT = N_("📣 «{name}», step 5 of 6: who gets it. Broadcasts only go to citizens who "
                    "said yes to webinar news.")
SEGMENT_LANGUAGE = N_("Language: {value}")
SEGMENT_LABEL = N_("Invite label: {value}")
SEGMENT_JOINED = N_("Joined: {value}")
SEGMENT_CITIZENS = N_("Citizen numbers: {value}")
ANY = N_("any")
JOINED_FROM = N_("on or after {day}")
JOINED_TO = N_("on or before {day}")
JOINED_BETWEEN = N_("from {start} to {end}")
SEGMENT_ALSO = N_("Also: {value}")
SEGMENT_IMPORTANT = N_("Important: yes – it may pass the weekly limit on messages, never quiet "
                       "hours")
SEGMENT_NOT_IMPORTANT = N_("Important: no – citizens who reached the weekly limit on messages "
                           "are left out")
NOT = N_("not {label}")
MEMBERS_PROMPT = N_("More filters: tap one to take only those citizens, or its “not” to leave "
                    "them out; tap again to switch it off.")
NO_MEMBERS = N_("There are no such filters to pick right now.")
LABEL_PROMPT = N_("Invite label: pick one, or write it as your next message here.")
NO_LABELS = N_("No citizen has an invite label yet.")
JOINED_PROMPT = N_("Joined between two days: write them as YYYY-MM-DD YYYY-MM-DD, either may be "
                   "- (e.g. 2026-11-01 -).")
CITIZENS_PROMPT = N_("Citizen numbers: write them separated by commas or spaces, e.g. 12, 15 31.")
PREVIEW_NOTE = N_("Above: each language's message exactly as citizens get it.")
PREVIEW_IMPORTANT = N_("Marked important: it may pass the weekly limit on messages; quiet hours "
                       "still hold.")
PREVIEW_NOT_IMPORTANT = N_("Not marked important: citizens who reached the weekly limit on "
                           "messages are left out.")
SCHEDULE_PROMPT = N_("When should it go? Write the local time as YYYY-MM-DD HH:MM, e.g. "
                     "{example}.")
EDIT_PROMPT = N_("What do you want to change?")

KEEP_BUTTON = N_("Keep it")
SKIP_BUTTON = N_("Skip {language}")
BACK_BUTTON = N_("◀ Back")
NEXT_BUTTON = N_("Next ▶")
NO_ATTACHMENT_BUTTON = N_("No attachment")
ON = N_("✅ {label}")
ALL_LANGUAGES_BUTTON = N_("All languages")
LABEL_BUTTON = N_("🏷 Invite label")
JOINED_BUTTON = N_("📅 Joined between")
CITIZENS_BUTTON = N_("🔢 Citizen numbers")
MEMBERS_BUTTON = N_("👥 More filters")
IMPORTANT_BUTTON = N_("❗ Important")
LABEL_CHOICE = N_("{label} ({count})")
ANY_LABEL_BUTTON = N_("Any label")
ANY_TIME_BUTTON = N_("Any time")
ALL_CITIZENS_BUTTON = N_("No hand-picked numbers")
PREVIEW_BUTTON = N_("Preview ▶")
FALLBACK_BUTTON = N_("Send them the {language} text")
TEST_BUTTON = N_("🧪 Test send")
SEND_BUTTON = N_("📣 Send now")
SCHEDULE_BUTTON = N_("🕒 Schedule")
EDIT_BUTTON = N_("✏️ Edit")
EDIT_NAME = N_("Name")
EDIT_TEXT = N_("Text in {language}")
EDIT_ATTACHMENT = N_("Attachment")
EDIT_BUTTONS = N_("Buttons")
EDIT_SEGMENT = N_("Who gets it")

RESUMED = N_("You have a broadcast draft open here already; here is where you left off.")
CANCELLED = N_("Broadcast draft cancelled; nothing was sent.")
GONE = N_("This broadcast draft is closed (sent, cancelled or expired). Start a new one with "
          "/broadcast.")
FOREIGN = N_("This is a colleague's broadcast draft. Start your own with /broadcast.")
STALE = N_("That button is from an earlier step; use the newest message.")
PREVIEW_ONLY = N_("This is the preview: the button works for the citizens who get it.")
CITIZEN_TOPIC = N_("Start a broadcast in your own topic or in the general topic, not in a "
                   "citizen's topic.")
NAME_TOO_LONG = N_("A name has at most {limit} characters; make it shorter.")
TEXT_TOO_LONG = N_("That text has {count} characters; Telegram allows at most {limit}.")
CAPTION_TOO_LONG = N_("With an image or document the text is its caption: at most {limit} "
                      "characters, and that text has {count}. Shorten it, or remove the "
                      "attachment first (Edit).")
ATTACHMENT_REFUSED = N_("With an image or document each text is its caption: at most {limit} "
                        "characters, and the {language} text has {count}. Shorten it first, or "
                        "choose no attachment.")
SEND_ATTACHMENT = N_("Send a photo or a file as your next message here, or press “No "
                     "attachment”.")
NEEDS_TEXT = N_("A broadcast needs a text in at least one language.")
LABEL_TOO_LONG = N_("An invite label has at most {limit} characters.")
BAD_DAYS = N_("Write two days as YYYY-MM-DD YYYY-MM-DD; either may be -.")
DAYS_ORDER = N_("The first day is after the second.")
BAD_NUMBERS = N_("Write citizen numbers separated by commas or spaces, e.g. 12, 15 31.")
BAD_TIME = N_("Write the local time as YYYY-MM-DD HH:MM, e.g. {example}.")
PAST_TIME = N_("That time has passed; choose one in the future.")
BLOCKED = N_("Not sent: no text in {languages} for citizens in the segment. Add it with Edit, "
             "or send them the {default} text.")
CANNOT_SEND = N_("It cannot be sent like this: {reason}")
QUEUED = N_("📣 Broadcast #{id} “{name}” is stored: sending starts within 10 seconds, and its "
            "progress shows in the staff chat.")
SCHEDULED = N_("🕒 Broadcast #{id} “{name}” is scheduled for {time}. Its progress shows in the "
               "staff chat once it starts; until then `python -m bot broadcast cancel {id}` "
               "stops it.")
TEST_SENT = N_("Sent to your private chat with me: {languages}.")
TEST_NOT_STARTED = N_("I cannot write to you privately yet: open a private chat with @{bot} and "
                      "press Start, then press Test send again.")


def data(composing: Composing, action: str, index: int | None = None) -> str:
    suffix = f"|{index}" if index is not None else ""
    return f"{PREFIX}|{composing.id}|{composing.token}|{action}{suffix}"


def footer(composing: Composing, _: Translator, *, back: bool = True,
           ahead: tuple[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    """Back, (the way ahead), Cancel: the last row of every step."""
    row = [(_(BACK_BUTTON), data(composing, "back"))] if back else []
    if ahead is not None:
        row.append((_(ahead[0]), data(composing, ahead[1])))
    row.append((_(CANCEL_BUTTON), data(composing, "cancel")))
    return tuple(row)


def name_step(c: Composing, _: Translator) -> tuple[str, Buttons]:
    text = _(NAME_PROMPT) + (f"\n\n{_(NOW_NAME, name=c.name)}" if c.name else "")
    rows = [((_(KEEP_BUTTON), data(c, "keep")),)] if c.name else []
    return text, (*rows, footer(c, _, back=c.editing))


def text_step(c: Composing, _: Translator) -> tuple[str, Buttons]:
    assert c.locale is not None
    language = language_name(c.locale)
    text = _(TEXT_PROMPT, name=c.name, language=language)
    current = c.texts.get(c.locale)
    first = [(_(SKIP_BUTTON, language=language), data(c, "skip"))]
    if current:
        start = current if len(current) <= 80 else current[:79] + "…"
        text += "\n\n" + _(NOW_TEXT, count=len(current), start=start)
        first.insert(0, (_(KEEP_BUTTON), data(c, "keep")))
    return text, (tuple(first), footer(c, _))


def attachment_step(c: Composing, _: Translator) -> tuple[str, Buttons]:
    text = _(ATTACHMENT_PROMPT, name=c.name)
    first = [(_(NO_ATTACHMENT_BUTTON), data(c, "none"))]
    if c.attachment is not None:
        text += "\n\n" + _(NOW_ATTACHMENT, attachment=describe(c.attachment, _))
        first.insert(0, (_(KEEP_BUTTON), data(c, "keep")))
    return text, (tuple(first), footer(c, _))


def describe(attachment: Attachment, _: Translator) -> str:
    if attachment.kind is MediaKind.PHOTO:
        return _(PHOTO)
    return _(DOCUMENT, filename=attachment.filename or "?")


def buttons_step(c: Composing, labels: dict[str, str], _: Translator) -> tuple[str, Buttons]:
    """`labels`: what each offered button spec is called (its choice's label)."""
    text = _(BUTTONS_PROMPT, name=c.name)
    if not c.offers:
        text += "\n\n" + _(NO_CHOICES)
    rows = [((_(ON, label=labels.get(spec, spec)) if spec in c.buttons
              else labels.get(spec, spec), data(c, "toggle", i)),)
            for i, spec in enumerate(c.offers)]
    return text, (*rows, footer(c, _, ahead=(NEXT_BUTTON, "next")))


def segment_step(c: Composing, locales: Sequence[str], members: dict[str, str] | None,
                 _: Translator) -> tuple[str, Buttons]:
    """`members`: the labels of the filters other features answer (`kind:argument` -> label),
    None when no feature offers any."""
    segment = c.segment
    lines = [_(SEGMENT_PROMPT, name=c.name), "",
             _(SEGMENT_LANGUAGE, value=", ".join(language_name(loc) for loc in segment.languages)
               or _(ANY)),
             _(SEGMENT_LABEL, value=segment.label or _(ANY)),
             _(SEGMENT_JOINED, value=joined(segment, _)),
             _(SEGMENT_CITIZENS, value=", ".join(map(str, segment.citizens)) or _(ANY))]
    if segment.memberships:
        lines.append(_(SEGMENT_ALSO, value="; ".join(
            membership_label(m, members or {}, _) for m in segment.memberships)))
    lines.append(_(SEGMENT_IMPORTANT if c.important else SEGMENT_NOT_IMPORTANT))

    def toggle(label: str, on: bool, action: str, index: int | None = None) -> tuple[str, str]:
        return (_(ON, label=label) if on else label, data(c, action, index))

    languages = (toggle(_(ALL_LANGUAGES_BUTTON), not segment.languages, "anylang"),
                 *(toggle(language_name(loc), segment.languages == (loc,), "lang", i)
                   for i, loc in enumerate(locales)))
    rows: Buttons = (
        languages,
        ((_(LABEL_BUTTON), data(c, "label")), (_(JOINED_BUTTON), data(c, "joined"))),
        ((_(CITIZENS_BUTTON), data(c, "citizens")),
         *(((_(MEMBERS_BUTTON), data(c, "members")),) if members is not None else ())),
        (toggle(_(IMPORTANT_BUTTON), c.important, "important"),),
        footer(c, _, ahead=(PREVIEW_BUTTON, "next")),
    )
    return "\n".join(lines), rows


def membership_label(membership: Membership, labels: dict[str, str], _: Translator) -> str:
    label = labels.get(f"{membership.kind}:{membership.argument}", membership.label)
    return label if membership.member else _(NOT, label=label)


def members_step(c: Composing, labels: dict[str, str], _: Translator) -> tuple[str, Buttons]:
    """`c.offers` are `kind:argument`; each row takes them, or leaves them out."""
    taken = set(c.segment.memberships)
    rows = []
    for i, offer in enumerate(c.offers):
        kind, _sep, argument = offer.partition(":")
        label = labels.get(offer, offer)
        inside = Membership(kind, argument) in taken
        outside = Membership(kind, argument, member=False) in taken
        rows.append(((_(ON, label=label) if inside else label, data(c, "in", i)),
                     (_(ON, label=_(NOT, label=label)) if outside else _(NOT, label=label),
                      data(c, "out", i))))
    text = _(MEMBERS_PROMPT) + ("" if c.offers else "\n\n" + _(NO_MEMBERS))
    return text, (*rows, footer(c, _))


def joined(segment: Segment, _: Translator) -> str:
    start, end = segment.joined_from, segment.joined_to
    if start and end:
        return _(JOINED_BETWEEN, start=day(start), end=day(end))
    if start:
        return _(JOINED_FROM, day=day(start))
    if end:
        return _(JOINED_TO, day=day(end))
    return _(ANY)


def day(value: date) -> str:
    """As the coordinator typed it."""
    return value.isoformat()


def label_step(c: Composing, counts: dict[str, int], _: Translator) -> tuple[str, Buttons]:
    text = _(LABEL_PROMPT) + ("" if c.offers else "\n\n" + _(NO_LABELS))
    rows = [((_(LABEL_CHOICE, label=label, count=counts.get(label, 0)), data(c, "pick", i)),)
            for i, label in enumerate(c.offers)]
    return text, (*rows, ((_(ANY_LABEL_BUTTON), data(c, "any")),), footer(c, _))


def typed_step(c: Composing, prompt: str, clear: str, _: Translator) -> tuple[str, Buttons]:
    """JOINED and CITIZENS: a line to type, or clear the filter."""
    return _(prompt), (((_(clear), data(c, "any")),), footer(c, _))


def preview_buttons(c: Composing, blocked: bool, fallback: str | None,
                    _: Translator) -> Buttons:
    """`fallback`: the default language, offered while languages in the segment have no text
    (and the default one has)."""
    rows: list[tuple[tuple[str, str], ...]] = []
    if blocked and fallback is not None:
        rows.append(((_(FALLBACK_BUTTON, language=language_name(fallback)),
                      data(c, "fallback")),))
    rows += [((_(TEST_BUTTON), data(c, "test")),),
             ((_(SEND_BUTTON), data(c, "send")), (_(SCHEDULE_BUTTON), data(c, "schedule"))),
             ((_(EDIT_BUTTON), data(c, "edit")), (_(CANCEL_BUTTON), data(c, "cancel")))]
    return tuple(rows)


def edit_step(c: Composing, _: Translator) -> tuple[str, Buttons]:
    """`c.offers` are the steps' tokens, in order."""
    names = {Step.NAME: EDIT_NAME, Step.ATTACHMENT: EDIT_ATTACHMENT,
             Step.BUTTONS: EDIT_BUTTONS, Step.SEGMENT: EDIT_SEGMENT}
    rows = []
    for i, token in enumerate(c.offers):
        step, _sep, locale = token.partition(":")
        label = (_(EDIT_TEXT, language=language_name(locale)) if locale
                 else _(names[Step(step)]))
        rows.append(((label, data(c, "goto", i)),))
    return _(EDIT_PROMPT), (*rows, footer(c, _))
