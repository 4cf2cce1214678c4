"""What staff read in the staff chat's /club (English msgids; Danish in locales/)."""

from __future__ import annotations

from bot.features.clubs.compose_state import Step
from bot.features.webinars.planning import Problem
from bot.i18n import N_

PATTERN = r"^clubnew\|\d{1,18}\|[a-z_]+\|[a-z0-9_]+$"
"""Callback data of the dialog's buttons: clubnew|<draft id>|<step>|<choice>."""

PROMPTS = {
    Step.TITLE_DA: N_("🤝 New job club, step 1 of 9: its title in Danish, as citizens will see "
                      "it. Write it here."),
    Step.TITLE_EN: N_("Step 2 of 9: the title in English."),
    Step.CONSULTANT: N_("Step 3 of 9: the consultant who leads the club – tap one, or write "
                        "their Telegram user id."),
    Step.START: N_("Step 4 of 9: the first meeting, local time, as YYYY-MM-DD HH:MM (e.g. "
                   "{example}); the others follow every week at the same time."),
    Step.WEEKS: N_("Step 5 of 9: how many meetings (one a week)? Tap or write a number."),
    Step.MINUTES: N_("Step 6 of 9: how long is each meeting, in minutes?"),
    Step.CAPACITY: N_("Step 7 of 9: how many seats?"),
    Step.LANGUAGE: N_("Step 8 of 9: the language of the meetings?"),
    Step.LINK: N_("Step 9 of 9: the meeting link (Teams, Meet or Zoom) – or add it later."),
    Step.SUMMARY: N_("The new job club:\n«{title_da}» / «{title_en}»\nLed by: {consultant}\n"
                     "First meeting: {when}, {weeks} meetings a week apart, {minutes} minutes "
                     "each\nSeats: {capacity}\n{language}\nLink: {link}"),
}
CANCEL = N_("✖️ Cancel")
CREATE = N_("✅ Create")
LATER = N_("Add it later")
NO_LINK = N_("not yet")
LANGUAGE_BUTTONS = {"da": N_("Dansk"), "en": N_("English")}
RESUMED = N_("You have a club draft open here – on we go:")
STALE = N_("This step is over.")
NOT_YOURS = N_("This draft belongs to another colleague.")
DROPPED = N_("The new club is dropped; nothing was stored.")
CREATED = N_("Club #{club} «{title}» is created: first meeting {when}. Citizens find it under "
             "/clubs, and its members get the reminders and the link.")
BAD_TIME = N_("Please write the time as YYYY-MM-DD HH:MM, e.g. {example}.")
BAD_CONSULTANT = N_("Please tap a name, or write a Telegram user id (a number).")
PROBLEMS = {
    Problem.TITLE: N_("A title has 1 to 100 characters."),
    Problem.MINUTES: N_("The minutes are a whole number from 1 to 600."),
    Problem.CAPACITY: N_("Please write a whole number above 0."),
    Problem.LINK: N_("Please write a link that starts with https://."),
    Problem.PAST: N_("That time has passed already."),
    Problem.TOO_MANY: N_("The meetings are a whole number from 1 to 52."),
    Problem.UNKNOWN: N_("There is no such club."),
    Problem.NOTHING_TO_COME: N_("That club has no such meeting still to come."),
}

# /club list, link, move, cancel ----------------------------------------------------------------
USAGE = N_("Use: /club (a new club), /club list, /club link <club> <URL>, /club move <club> "
           "YYYY-MM-DD HH:MM (the next meeting, and the later ones by as much), /club cancel "
           "<club> [meeting number]")
NO_CLUBS = N_("No job clubs yet.")
LIST_LINE = N_("#{club} «{title}» · {language} · next {when} · seats {taken}/{capacity} · "
               "waitlist {waiting}")
LIST_LINE_OVER = N_("#{club} «{title}» · {language} · over or cancelled")
LINKED = N_("Club #{club}: the new link is saved; the members are told.")
MOVED = N_("Club #{club}: {moved} meetings moved; the members are told.")
CLUB_CANCELLED = N_("Club #{club} is cancelled; the members are told and offered the next club.")
SESSION_CANCELLED = N_("Club #{club}: meeting {number} ({when}) is cancelled; the members are "
                       "told.")
