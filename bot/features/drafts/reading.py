"""What a file sent as a draft is, judged by its bytes and never by its name (libmagic, and a
look inside: a DOCX zip must hold word/document.xml), and its text and page 1 for the
consultant's preview, read in a child process with a time and a memory limit (PDF and Office
parsers have had endless-loop and decompression-bomb bugs). No Telegram here."""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import json
import logging
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from bot.i18n import N_, Refusal

log = logging.getLogger(__name__)

TELEGRAM_DOWNLOAD_LIMIT = 20_000_000
"""Telegram's cloud Bot API lets a bot download files up to 20 MB (getFile)."""
READ_SECONDS = 20
UNPACKED_LIMIT = 100_000_000
"""A document that unpacks to more than this is refused (a zip bomb, or no letter)."""
PACKING_RATIO = 200
"""Nor one whose content is packed more than this many times (text packs ~5-20 times)."""
MAX_PREVIEW = 100_000
"""Characters of text kept for the preview; the file itself always goes to the consultant."""

NOT_ALLOWED = N_("I can take a PDF, a Word file (DOCX) or an OpenDocument text (ODT), photos "
                 "of the pages, or the text pasted here. This file is none of those – please "
                 "try again with one of them.")
MACROS = N_("This document contains macros, which we do not open for safety. Please save it "
            "as an ordinary DOCX, ODT or PDF and send it again.")
ENCRYPTED = N_("This PDF is protected with a password, so we cannot open it. Please send it "
               "without the password, or as DOCX or ODT.")
PACKED = N_("This file unpacks to far more than a letter or a CV would, so we do not open it. "
            "Please send it as a PDF, or paste the text here.")
_ODT = b"application/vnd.oasis.opendocument.text"

Sniff = Callable[[bytes], str]
"""The MIME type libmagic reads from a file's bytes."""


class FileType(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    ODT = "odt"
    IMAGE = "image"
    """A JPEG or PNG sent as a file: taken as a photo of a page."""


_ZIP = "application/zip"
AGREES = {
    FileType.PDF: frozenset({"application/pdf"}),
    FileType.IMAGE: frozenset({"image/jpeg", "image/png"}),
    FileType.DOCX: frozenset({
        _ZIP, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-word.document.macroEnabled.12"}),
    FileType.ODT: frozenset({_ZIP, "application/vnd.oasis.opendocument.text"}),
}
"""What libmagic may call each type the structural check found (a DOCX or ODT whose first
entries libmagic does not know is a zip to it; the look inside decides)."""


@dataclass(frozen=True, slots=True)
class Reading:
    """What the child process read from a document for the consultant."""

    text: str | None
    """None: nothing readable in time (the file goes to the consultant all the same)."""
    preview: bytes | None = None
    """Page 1 of a PDF as a PNG; None for other types, or a page PDFium could not draw."""


def load_sniffer() -> Sniff | None:
    """libmagic's MIME check, once at start; None (with one warning) when libmagic cannot be
    loaded: then the structural checks alone decide, which still refuse anything that is not
    a PDF, DOCX, ODT, JPEG or PNG."""
    try:
        import magic
    except (ImportError, OSError) as exc:
        log.warning("drafts: libmagic cannot be loaded (%s); file types are checked by their "
                    "structure only", type(exc).__name__)
        return None
    try:
        checker = magic.Magic(mime=True)
    except magic.MagicException as exc:
        log.warning("drafts: libmagic cannot be opened (%s); file types are checked by their "
                    "structure only", type(exc).__name__)
        return None
    return checker.from_buffer


def detect(content: bytes, sniff: Sniff | None = None) -> FileType:
    """The type by content: the structure says what it is, and libmagic (`sniff`) must agree
    (AGREES). Refusal otherwise."""
    kind = _structure(content)
    if sniff is not None:
        mime = sniff(content)
        if mime not in AGREES[kind]:
            log.info("draft file: libmagic says %s, its structure %s; refused", mime, kind.value)
            raise Refusal(NOT_ALLOWED)
    return kind


def _structure(content: bytes) -> FileType:
    """%PDF, a JPEG or PNG, or a zip holding a Word document (word/document.xml) or an
    OpenDocument text (its mimetype entry). Refusal otherwise."""
    if content.startswith(b"%PDF-"):
        return FileType.PDF
    if content.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        return FileType.IMAGE
    if not content.startswith(b"PK\x03\x04"):
        raise Refusal(NOT_ALLOWED)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            unpacked = sum(entry.file_size for entry in entries)
            if unpacked > UNPACKED_LIMIT or unpacked > PACKING_RATIO * len(content):
                raise Refusal(PACKED)
            if "word/document.xml" in names:
                if "word/vbaProject.bin" in names:
                    raise Refusal(MACROS)
                return FileType.DOCX
            if "mimetype" in names and archive.read("mimetype").strip() == _ODT:
                if any(name.startswith(("Basic/", "Scripts/")) for name in names):
                    raise Refusal(MACROS)
                return FileType.ODT
    except (zipfile.BadZipFile, KeyError, OSError):
        pass
    raise Refusal(NOT_ALLOWED)


async def read(kind: FileType, content: bytes, seconds: float = READ_SECONDS) -> Reading:
    """The document's text and (a PDF's) page 1 as a PNG, or nothing when it cannot be read
    in time (it goes to the consultant as a file all the same). Refusal for an encrypted
    PDF."""
    if kind is FileType.IMAGE:
        return Reading(None)
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.features.drafts.extract", kind.value,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL)
    try:
        async with asyncio.timeout(seconds):
            out, _err = await child.communicate(content)
    except TimeoutError:
        child.kill()
        await child.wait()
        log.info("draft text: reading a %s took longer than %.0f s; sent as a file only",
                 kind.value, seconds)
        return Reading(None)
    try:
        answer = json.loads(out or b"{}")
    except ValueError:
        answer = {}
    if answer.get("encrypted"):
        raise Refusal(ENCRYPTED)
    preview = _png(answer.get("preview"))
    text = answer.get("text")
    if not isinstance(text, str):
        log.info("draft text: a %s could not be read (exit %s); sent as a file only",
                 kind.value, child.returncode)
        return Reading(None, preview)
    return Reading(text.strip()[:MAX_PREVIEW] or None, preview)


def _png(raw: object) -> bytes | None:
    if not isinstance(raw, str):
        return None
    try:
        picture = base64.b64decode(raw, validate=True)
    except binascii.Error:
        return None
    return picture if picture.startswith(b"\x89PNG\r\n\x1a\n") else None
