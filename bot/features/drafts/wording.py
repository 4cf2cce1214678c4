"""What citizens and staff read about drafts and feedback (English msgids; Danish in locales/)."""

from __future__ import annotations

from bot.features.drafts.model import Kind, Status
from bot.i18n import N_

MENU = N_("Feedback on an application or CV")
HELP = N_("get feedback on an application or your CV from a consultant")

KINDS = {Kind.APPLICATION: N_("application"), Kind.CV: N_("CV"),
         Kind.BOTH: N_("application and CV")}
STATUSES = {Status.WAITING: N_("waiting for a consultant"),
            Status.TAKEN: N_("with a consultant"), Status.ANSWERED: N_("answered")}

# the citizen ------------------------------------------------------------------------------
EXPECT = N_("We usually answer within {days} working days (Monday to Friday), so this time "
            "by {due}.")
DEADLINE_CLOSE = N_("Your deadline, {deadline}, is less than two working days away. We will "
                    "try, but we cannot promise feedback in time – so send your application "
                    "before the deadline in any case.")
DEADLINE_BEFORE = N_("Your deadline, {deadline}, comes before the answer we can promise. We "
                     "will try to answer in time, but cannot promise it.")
TOO_BIG = N_("This file is larger than {limit} MB, the most we can take. Please send a smaller "
             "file (a PDF is often smaller), photos of the pages, or paste the text here.")
NOT_READ = N_("I could not fetch that file from Telegram. Please send it again.")
SAME_FILE = N_("This is the same file you sent as {ref}. If you have changed it, please send "
               "the new file.")
INFECTED = N_("Our virus check found something harmful in this file, so it has not been sent "
              "on. Please check your computer, then send the draft again – or paste the text "
              "here.")
SCAN_DOWN = N_("We cannot check files for viruses just now, so this file has not been sent. "
               "Please try again in a little while – or paste the text here, or send photos "
               "of the pages.")
MY_DATA_LINE = N_("Draft {ref}, version {version} ({kind}), sent {when}: {status}")
MY_DATA_PURGED = N_("Draft {ref}, version {version} ({kind}), sent {when}: {status}; the file "
                    "and its text are deleted")

# staff ------------------------------------------------------------------------------------
NEW = N_("📝 New draft for feedback: {line}")
OVERDUE = N_("⏰ Not taken within the promised time (by {due}): {line}")
LINE = N_("{ref} · {kind} · {language} · version {version} · deadline {deadline} · waiting "
          "{waiting}")
NO_DEADLINE = N_("none")
WAITING_DAYS = N_("{days} d {hours} h")
WAITING_HOURS = N_("{hours} h")
QUEUE = N_("Drafts waiting for feedback, nearest deadline first:")
QUEUE_EMPTY = N_("No drafts are waiting for feedback.")
TAKE = N_("Take")
TAKE_REF = N_("Take {ref}")
SEND = N_("Send feedback")
NOT_ALLOWED = N_("Only consultants and admins can do that.")
GONE = N_("This draft is no longer here (the citizen may have deleted their data).")
TAKEN_ALREADY = N_("{name} has taken this draft already.")
TAKEN = N_("Taken – the draft is in the citizen's topic.")
HEADER = N_("📝 {ref}, version {version}: {kind}, taken by {name}. Promised by {due}; "
            "deadline {deadline}.")
WISHES = N_("What they would like feedback on: {wishes}")
JOB_AD = N_("The job ad: {ad}")
SCANNED = N_("Virus check: no virus found (clamd).")
NOT_SCANNED = N_("Virus check: not done – no virus scanner is set up (CLAMD_SOCKET).")
PAGE_ONE = N_("Page 1 as the PDF shows it (the file itself is above).")
PREVIEW = N_("The text of the draft:")
NO_PREVIEW = N_("(The text could not be read from the file; the file follows.)")
CHANGES = N_("What changed since version {version}:")
NO_CHANGES = N_("No change in the text since version {version}.")
EARLIER = N_("The feedback on version {version}:")
HOW_TO = N_("Write the feedback here in this topic – text, voice messages or a file – and "
            "press Send feedback when it is complete. Lines starting with // are not sent.")
WRITE_FIRST = N_("Write the feedback in this topic first, then press Send feedback.")
NOT_YOURS = N_("Only {name}, who took this draft, can send its feedback.")
NOT_OPEN = N_("This draft has no feedback waiting to be sent.")
SENT = N_("✅ Feedback on {ref} sent to the citizen.")
QUESTION = N_("❓ A question about the feedback on {ref}, for {name}:\n\n{question}\n\nAnswer "
              "here in the topic and press Send feedback.")
