"""What a citizen is promised after asking for, or being offered, a person."""

from __future__ import annotations

from bot.engine.screen import Moment, Phrase
from bot.features.cases.service import Opening
from bot.i18n import N_

HUMAN_REPLY = N_("Thank you. {follow_up} You are welcome to keep writing here in the "
                 "meantime.")
FOLLOW_UP_NOW = N_("I have asked a person from the job centre to contact you as soon as "
                   "possible today.")
FOLLOW_UP_LATER = N_("Our consultants are not at work right now. A person from the job centre "
                     "will contact you on {when}. Until then, the numbers above are there for "
                     "you.")
FOLLOW_UP_LATER_PLAIN = N_("A person from the job centre will contact you on {when}.")
NO_STAFF = N_("This is a trial version that is not connected to the job centre's staff, so "
              "nobody will contact you from here. Please call the job centre directly.")


def follow_up(opening: Opening, urgent: bool) -> Phrase:
    """Today when staff are at work; otherwise the day and hour they will be back; and never a
    promise of a person in a trial without a staff chat."""
    if not opening.staffed:
        return Phrase(NO_STAFF)
    if opening.staff_at_work:
        return Phrase(FOLLOW_UP_NOW)
    return Phrase(FOLLOW_UP_LATER if urgent else FOLLOW_UP_LATER_PLAIN,
                  {"when": Moment(opening.contact_from)})


def human_reply(opening: Opening) -> Phrase:
    return Phrase(HUMAN_REPLY, {"follow_up": follow_up(opening, urgent=False)})


# A requested phone call: the citizen picks a window (their words) and staff read it (theirs).
CALL_CHOICES = {"morning": N_("A morning (9–12)"), "afternoon": N_("An afternoon (12–15)"),
                "any": N_("Any time on a weekday")}
CALL_WINDOWS = {"morning": N_("a morning (9–12)"), "afternoon": N_("an afternoon (12–15)"),
                "any": N_("any time on a weekday")}
CALL_INSTEAD = N_("📞 I would rather have a phone call")
CALL_WHEN = N_("When would a call suit you? A consultant will call you then – you can also "
               "take the call while out for a walk.")
CALL_NOTED = N_("Noted: a consultant will call you.")

# The number for a requested call: asked after the window, kept only for that call.
PHONE_ASK = N_("Which phone number should the consultant call? Tap «{share}» below, or type the "
               "number (for example 12 34 56 78). We keep it only for this call and delete it "
               "when the call is done.")
PHONE_SHARE = N_("📱 Share my number")
PHONE_SKIP = N_("Continue without a number")
PHONE_NOT_READ = N_("Sorry, I could not read that as a phone number. Please type it like "
                    "12 34 56 78 or +45 12 34 56 78, or tap «{share}». If you would rather not "
                    "give a number, tap «{skip}».")
PHONE_NOT_OWN = N_("That looks like someone else's contact. I can only use your own number – "
                   "tap «{share}» or type it.")
PHONE_SAVED = N_("Thank you – the consultant will call you on {phone}. We delete the number "
                 "when the call is done.")
PHONE_SKIPPED = N_("That is fine. The consultant will write to you here to agree on how to "
                   "reach you.")
