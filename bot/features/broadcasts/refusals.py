"""Why a broadcast cannot be stored as written (DraftError) and why a file may not go with one
(files.py): English msgids, printed as they are by the CLI and translated for the staff chat."""

from __future__ import annotations

from bot.i18n import N_

NEEDS_NAME = N_("a broadcast needs a name")
NEEDS_TEXT = N_("a broadcast needs a text in at least one language")
UNKNOWN_LANGUAGE = N_("unknown language {locale}")
EMPTY_TEXT = N_("the {locale} text is empty")
TEXT_TOO_LONG = N_("the {locale} text is longer than {limit} characters")
CAPTION_TOO_LONG = N_("the {locale} text is longer than {limit} characters, the most for the "
                      "caption of an image or document")
NO_FILE = N_("the attachment has neither a Telegram file_id nor bytes")
UNKNOWN_BUTTON = N_("unknown button {prefix} (known: {known})")
BAD_BUTTON = N_("button {spec}: {reason}")
UNKNOWN_FILTER = N_("unknown segment filter {kind} (known: {known})")
BAD_FILTER = N_("{filter}: {reason}")
BLOCKED = N_("no text in {locales} for citizens in the segment: add it, or send them the "
             "default language")

FILE_EMPTY = N_("{name} is empty")
IMAGE_TOO_LARGE = N_("{name} is larger than {megabytes} MB, the most for an image")
DOCUMENT_TOO_LARGE = N_("{name} is larger than {megabytes} MB, the most for a document")
IMAGE_TOO_BIG = N_("{name} is {width}×{height} pixels: width and height together may be at "
                   "most {limit}")
IMAGE_TOO_NARROW = N_("{name} is {width}×{height} pixels: too narrow for Telegram (at most "
                      "1:{ratio})")
NOT_AS_NAMED = N_("{name} is not what its name says (its content is not a {kind} file)")
NOT_AN_IMAGE = N_("{name} is not a JPEG, PNG or WebP image")
BROKEN_IMAGE = N_("{name} is not a whole JPEG, PNG or WebP image (it is cut short or damaged)")
UNNAMED_FILE = N_("the file")
