"""What citizens and staff read about webinars (English msgids; Danish in locales/)."""

from __future__ import annotations

from bot.features.webinars.model import Answer
from bot.i18n import N_

# The RSVP buttons: "Ja" / "Måske" / "Nej" in Danish.
BUTTONS = {Answer.YES: N_("Yes"), Answer.MAYBE: N_("Maybe"), Answer.NO: N_("No")}

SEATED = N_("Thank you – you have a seat at «{title}», {when}. You will get the link "
            "{minutes} minutes before the start.")
SEATED_LINK = N_("Thank you – you have a seat at «{title}», {when}. Join here: {link}")
MAYBE = N_("Noted as a maybe for «{title}», {when}. You will get the link {minutes} minutes "
           "before the start.")
MAYBE_LINK = N_("Noted as a maybe for «{title}», {when}. Join here: {link}")
WAITLISTED = N_("«{title}», {when}, is full. You are number {position} on the waitlist: if a "
                "seat becomes free, it is yours, and we will tell you here.")
DECLINED = N_("Noted: you will not join «{title}», {when}. You can change your answer with "
              "/webinars.")
STARTED = N_("This webinar session has already started or is over, so it cannot be answered "
              "any more.")
CANCELLED_NO_ANSWER = N_("This webinar session was cancelled, so it cannot be answered any more.")
CHOSEN = "✓ {label}"
"""The answer given, on its button."""
CALENDAR = N_("«{title}», {when}: add it to your calendar with this file.")
CALENDAR_REMOVED = N_("«{title}», {when}: this file removes it from your calendar again.")
SEAT_FREED = N_("Good news: a seat became free at «{title}», {when}, and it is yours. Add it to "
                "your calendar with this file; you will get the link {minutes} minutes before "
                "the start.")
RSVP_CHOICE = N_("Yes / Maybe / No for «{title}», {when}")
"""A broadcast button a coordinator may pick in /broadcast: the answer buttons of the next
session."""
ANSWERED_CHOICE = N_("answered «{title}» (from {day})")
"""The broadcast segment filter a coordinator may pick in /broadcast: whoever answered it."""
INVITATION = N_("You are invited to a webinar from the job centre: «{title}», {when} ({minutes} "
                "minutes, online). Would you like to join? Answer with the buttons; you will get "
                "the link shortly before the start.")
REMINDER = N_("Reminder: «{title}» starts {when}. Join here: {link}")
MOVED = N_("«{title}» has a new time: {when}.")
NEW_LINK_LATER = N_("«{title}», {when}, has a new link. You will get it {minutes} minutes "
                    "before the start.")
NEW_LINK = N_("«{title}», {when}, has a new link: {link}")
UPDATED_FILE = N_("The updated calendar file is attached.")
CANCELLED = N_("«{title}», {when}, has been cancelled. We are sorry. The attached calendar file "
               "removes it from your calendar.")
CANCELLED_WAITLIST = N_("«{title}», {when}, has been cancelled, so the waitlist is closed. We "
                        "are sorry.")
THANKS = N_("Thank you for joining «{title}».")
RECORDING = N_("The recording or slides: {link}")
FEEDBACK_OFFER = N_("Would you like feedback on an application or your CV? Tap the button and "
                    "send it to us: a consultant from the job centre reads it and writes back "
                    "here.")
FEEDBACK_BUTTON = N_("Yes, feedback on an application")

MY_NONE = N_("You have no webinars coming up. When the job centre invites you to one, you can "
             "answer with the buttons in the invitation.")
MY_HEADER = N_("Your webinars coming up – tap to change your answer:")
MY_LINE = N_("«{title}», {when} – your answer: {answer}")
MY_DATA_LINE = N_("Webinar «{title}», {when}: you answered {answer}.")
ANSWER_LABELS = {Answer.YES: N_("yes"), Answer.MAYBE: N_("maybe"), Answer.NO: N_("no")}
ON_WAITLIST = N_("yes, number {position} on the waitlist")
MENU = N_("My webinars")
HELP = N_("see your webinars and change your answer")

# Staff chat
ATTENDED_USAGE = N_("Use: /attended <session> <citizen number> … (the numbers of those who took "
                    "part)")
ATTENDED_NO_SESSION = N_("There is no webinar session {session}.")
ATTENDED_DONE = N_("Session {session}: marked as attended: {n}.")
