"""What citizens and staff read about job clubs (English msgids; Danish in locales/)."""

from __future__ import annotations

from bot.i18n import N_

# Citizens: /clubs -----------------------------------------------------------------------------
MENU = N_("Job clubs")
HELP = N_("see the job clubs, join one or leave it")
LANGUAGE_LINES = {"da": N_("Language: Danish"), "en": N_("Language: English")}
NONE_OPEN = N_("There is no job club open to join right now. When the job centre starts a new "
               "one, you can find it here with /clubs.")
HEADER = N_("Job clubs meet online once a week with a consultant from the job centre and others "
            "who are looking for work too. Tap to join:")
CLUB_LINE = N_("«{title}»\nFirst meeting: {when}, then every week – {meetings} meetings of "
               "{minutes} minutes, online\n{language}\nSeats left: {seats} of {capacity}")
YOU_ARE_MEMBER = N_("You have a seat in this club.")
YOU_WAIT = N_("You are number {position} on the waitlist.")
YOU_ARE_OFFERED = N_("A seat is waiting for you – answer by {deadline}.")
JOIN = N_("Join")
WAITLIST = N_("Waitlist")
LEAVE = N_("Leave the club")
LEAVE_WAITLIST = N_("Leave the waitlist")

# Joining ----------------------------------------------------------------------------------
CONSENT_ASK = N_("To join a job club, we need your yes to writing to you about job clubs: the "
                 "calendar, reminders before each meeting, and seat offers from the waitlist. You "
                 "can withdraw it at any time in /menu or with /stop. May we?")
CONSENT_YES = N_("Yes, that is fine")
CONSENT_NO = N_("No thanks")
CONSENT_DECLINED = N_("All right – you have not joined. You can change your mind at any time "
                      "with /clubs.")
JOINED = N_("Welcome to «{title}»! The first meeting is {when}. You will get a reminder the day "
            "before, and the link {minutes} minutes before each meeting.")
JOINED_CALENDAR = N_("«{title}»: every meeting, for your calendar.")
WAITLISTED = N_("«{title}» is full, so you are on the waitlist as number {position}. When a seat "
                "becomes free, we will offer it to you here.")
MEMBER_ALREADY = N_("You already have a seat in «{title}».")
WAITING_ALREADY = N_("You are already on the waitlist for «{title}», as number {position}.")
CLOSED = N_("This job club is over or was cancelled, so it cannot be joined any more. /clubs "
            "shows the clubs open now.")
NOT_FOR_YOU = N_("This job club is for a particular group of citizens, so you cannot join it. "
                 "/clubs shows the clubs open to you.")
LEFT = N_("You have left «{title}». Thank you for letting us know – your seat goes to someone "
          "on the waitlist. You are welcome back in a club at any time: /clubs.")
LEFT_WAITLIST = N_("You are off the waitlist for «{title}».")
NOT_IN = N_("You are not in «{title}» any more.")

# Seat offers ------------------------------------------------------------------------------
OFFER = N_("Good news: a seat has become free in «{title}» (next meeting {when}). Would you like "
           "it? It is kept for you until {deadline}; after that it goes to the next on the "
           "waitlist.")
ACCEPT = N_("Accept")
NO_THANKS = N_("No thanks")
OFFER_TAKEN = N_("The seat is yours – welcome to «{title}»! The next meeting is {when}. You will "
                 "get a reminder the day before, and the link {minutes} minutes before each "
                 "meeting.")
OFFER_DECLINED = N_("Noted – the seat goes to the next on the waitlist, and you are off the "
                    "waitlist for «{title}». You can join a club again at any time: /clubs.")
OFFER_GONE = N_("This seat offer is no longer open. /clubs shows the clubs and where you stand.")
OFFER_EXPIRED = N_("The seat in «{title}» was kept for you until {deadline}; as we did not hear "
                   "from you, it went to the next on the waitlist. You can join the waitlist "
                   "again at any time: /clubs.")

# Reminders, changes -----------------------------------------------------------------------
DAY_BEFORE = N_("Reminder: «{title}» meets tomorrow, {when}, online. The link comes {minutes} "
                "minutes before the start.")
REMINDER = N_("«{title}» starts {when}. Join here: {link}")
REMINDER_NO_LINK = N_("«{title}» starts {when}. The link is not ready yet – the job centre will "
                      "send it here.")
CANT_COME = N_("Can't come")
CANT_COME_NOTED = N_("Thank you for telling us – we will miss you {when}. See you next time!")
CANT_COME_AGAIN = N_("Noted already – thank you.")
ASK_LEAVE = N_("You could not come to the last two meetings of «{title}». That is quite all "
               "right. Would you like to keep your seat, or leave the club so that someone on "
               "the waitlist can have it?")
KEEP_SEAT = N_("Keep my seat")
KEPT = N_("Good – your seat in «{title}» is kept. See you at the next meeting!")
MOVED = N_("«{title}» has a new time: from {when}, every week.")
SESSION_CANCELLED = N_("The meeting of «{title}» on {when} is cancelled. We are sorry. The "
                       "other meetings are as planned.")
NEW_LINK = N_("«{title}» has a new link: {link}")
NEW_LINK_LATER = N_("«{title}» has a new link. You will get it {minutes} minutes before each "
                    "meeting.")
UPDATED_FILE = N_("The updated calendar file is attached.")
CLUB_CANCELLED = N_("«{title}» has been cancelled. We are sorry. The attached calendar file "
                    "removes its meetings from your calendar.")
CLUB_CANCELLED_WAITING = N_("«{title}» has been cancelled, so its waitlist is closed. We are "
                            "sorry.")
NEXT_CLUB = N_("Another club is open: «{title}», first meeting {when}. Would you like to join it?")
NO_NEXT_CLUB = N_("There is no other club open right now; /clubs shows new ones when they come.")
MISSED_TWO = N_("We missed you at «{title}» – you have not been at two of the meetings. Is "
                "everything all right? You are very welcome at the next one. If you would rather "
                "leave the club, or talk with someone, just write here.")
MY_DATA_MEMBER = N_("Job club «{title}»: you have a seat.")
MY_DATA_WAITING = N_("Job club «{title}»: number {position} on the waitlist.")
MY_DATA_OFFERED = N_("Job club «{title}»: a seat is offered to you until {deadline}.")

# The evaluation at the end (the questions themselves are in dialogs/club_evaluation.toml) ------
MY_DATA_ASKED = N_("Job club «{title}»: asked on {date} how the club was for you (no answer).")
MY_DATA_SCORE = N_("Job club «{title}»: your evaluation, {score} of 5.")
MY_DATA_COMMENT = N_("Job club «{title}»: your evaluation, {score} of 5, and your words: "
                     "«{comment}» (the words are deleted on {until}).")

# Broadcast buttons -----------------------------------------------------------------------------
SEE_CLUBS = N_("See the job clubs")
ANY_CLUB = N_("a seat in any job club")
CLUB_CHOICE = N_("job club «{title}» (next meeting {when})")

# Staff chat -------------------------------------------------------------------------------------
ATTENDANCE = N_("Job club «{title}», meeting {number} ({when}), led by {consultant}: who took "
                "part? Tap each member.")
ATTENDED = N_("came")
NOT_ATTENDED = N_("did not come")
UNMARKED = N_("not marked")
SAID_CANT_COME = N_("said they could not come")
MEMBER_LINE = N_("{citizen}: {mark}")
MEMBER_LINE_NOTICE = N_("{citizen}: {mark} ({notice})")
MARKED = N_("Noted.")
NOT_YOURS = N_("Only the club's consultant, a coordinator or an admin can mark attendance.")
MISSED_ALERT = N_("Job club «{title}»: {citizen} has not come to two meetings. They got a "
                  "friendly message from the bot. Open a case to contact them?")
OPEN_CASE = N_("Open a case")
CASE_OPENED = N_("Case #{case} is open for {citizen}.")
CASE_TEXT = N_("Has missed two meetings of the job club «{title}».")
DEMAND = {"da": N_("{waiting} on the waitlist for Danish clubs{label}: open another club?"),
          "en": N_("{waiting} on the waitlist for English clubs{label}: open another club?")}
DEMAND_LABEL = N_(" (invite label {label})")
CREATE_LIKE = N_("Create a club like this one")
CREATED_LIKE = N_("Club #{club} «{title}» is created, first meeting {when}; the waitlist is "
                  "offered its seats now. Add the meeting link with: python -m bot club edit "
                  "{club} --link URL")
OUTREACH_ONLY = N_("Only coordinators and admins can do this.")
