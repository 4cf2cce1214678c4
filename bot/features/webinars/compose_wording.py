"""What staff read in /webinar (creating a webinar) and /webinar list, in the staff chat's
language (English msgids; Danish in locales/)."""

from __future__ import annotations

from bot.features.webinars.compose_state import Step
from bot.features.webinars.model import Repeat
from bot.features.webinars.planning import Problem
from bot.i18n import N_

PREFIX = "wcompose"
"""Callback data of the dialog's buttons: `wcompose|<dialog id>|<step>|<choice>`."""
PATTERN = rf"^{PREFIX}\|\d{{1,18}}\|\w+\|[\w-]+$"
INVITE = "webinar|invite"
"""Callback data `webinar|invite|<webinar id>` of "Invite citizens" after creating."""
INVITE_PATTERN = r"^webinar\|invite\|\d{1,18}$"

NOT_ALLOWED = N_("Only coordinators and admins can do that.")
CITIZEN_TOPIC = N_("This is a citizen's topic. Start /webinar in your own topic or in the "
                   "general one.")
RESUMED = N_("You have a webinar draft open here – this is where you were:")
STALE = N_("This button is no longer active.")
NOT_YOURS = N_("This is another staff member's webinar draft.")
CANCELLED = N_("The webinar draft is cancelled; nothing was created.")

ASK = {
    Step.TITLE_DA: N_("New webinar, step 1 of 8: what is its Danish title?"),
    Step.TITLE_EN: N_("Step 2 of 8: what is its English title?"),
    Step.AT: N_("Step 3 of 8: when does it start? Write the local date and time as "
                "YYYY-MM-DD HH:MM, e.g. {example}. For a series: the first session."),
    Step.MINUTES: N_("Step 4 of 8: how long is it? Choose, or write the minutes."),
    Step.LINK: N_("Step 5 of 8: the link to join (https://…). Citizens get it only with the "
                  "reminder, {minutes} minutes before the start."),
    Step.CAPACITY: N_("Step 6 of 8: how many seats per session? Write a number, or choose no "
                      "limit."),
    Step.REPEAT: N_("Step 7 of 8: once, or a series?"),
    Step.UNTIL: N_("Step 8 of 8: the last day of the series? Write it as YYYY-MM-DD, e.g. "
                   "{example}."),
}
MINUTES_BUTTON = N_("{minutes} min")
NO_LIMIT_BUTTON = N_("No limit")
REPEAT_BUTTONS = {"once": N_("Once"), Repeat.WEEKDAYS.value: N_("Every weekday"),
                  Repeat.WEEKLY.value: N_("Every week")}
CANCEL_BUTTON = N_("✖️ Cancel")
CREATE_BUTTON = N_("✅ Create")
INVITE_BUTTON = N_("📣 Invite citizens")

SUMMARY = N_("New webinar – please check it:\n"
             "Danish title: {title_da}\n"
             "English title: {title_en}\n"
             "First session: {when}\n"
             "Length: {minutes} minutes\n"
             "Link: {link}\n"
             "Seats per session: {capacity}\n"
             "Sessions: {sessions}")
NO_LIMIT = N_("no limit")
SESSIONS_ONCE = N_("1 (once)")
SESSIONS_SERIES = {Repeat.WEEKDAYS: N_("{count}, every weekday until {until}"),
                   Repeat.WEEKLY: N_("{count}, every week until {until}")}
CREATED_ONE = N_("Webinar #{id} is created: session {session}, {when}. Citizens hear of it when "
                 "you invite them.")
CREATED_SERIES = N_("Webinar #{id} is created: sessions {first}–{last}, the first {when}. "
                    "Citizens hear of it when you invite them.")

BAD_TIME = N_("Please write the date and time as YYYY-MM-DD HH:MM, e.g. {example}.")
BAD_DAY = N_("Please write the day as YYYY-MM-DD, e.g. {example}.")
PROBLEMS = {
    Problem.TITLE: N_("A title has 1 to {max_title} characters. Please write it again."),
    Problem.MINUTES: N_("Please write the minutes as a whole number from 1 to {max_minutes}."),
    Problem.LINK: N_("That is not a link. Please write it as https://…"),
    Problem.CAPACITY: N_("Please write the seats as a whole number from 1 up, or choose no "
                         "limit."),
    Problem.PAST: N_("That time has passed. Please write a time still to come."),
    Problem.UNTIL_BEFORE: N_("The last day must be on or after the day of the first session."),
    Problem.TOO_MANY: N_("A series has at most {max_sessions} sessions. Please write an earlier "
                         "last day."),
    Problem.NO_WEEKDAY: N_("There is no weekday until then. Please write a later last day."),
}

LIST_HEADER = N_("Webinar sessions coming up (webinar/session):")
LIST_LINE = N_("#{webinar}/{session} «{title}», {when}: yes {yes} of {capacity} · maybe {maybe} "
               "· no {no} · waitlist {waitlisted}")
LIST_LINE_NO_LIMIT = N_("#{webinar}/{session} «{title}», {when}: yes {yes} · maybe {maybe} · no "
                        "{no} · waitlist {waitlisted}")
LIST_NONE = N_("No webinar sessions coming up. Create one with /webinar.")
LIST_MORE = N_("… and {count} more: python -m bot webinar list")
