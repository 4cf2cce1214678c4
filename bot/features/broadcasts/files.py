"""What may go with a broadcast as its image or document, judged by the bytes themselves, not
by the file's name: an image must be a whole JPEG, PNG or WebP within Telegram's limits for
sendPhoto; a document must be within our size limit, and one whose name says PDF, an Office
file or an image must really be one. No Telegram here."""

from __future__ import annotations

import struct
from pathlib import PurePath

from bot.features.broadcasts import refusals as r
from bot.i18n import Refusal
from bot.outbox.model import MediaKind

MAX_BYTES = {
    MediaKind.PHOTO: 10_000_000,  # Telegram: a photo is at most 10 MB
    MediaKind.DOCUMENT: 20_000_000,
    # Telegram takes documents up to 50 MB from a bot; we keep 20 MB, what a bot may download
    # (getFile), so a file a coordinator sends the bot is held to the same limit, and the
    # bytes wait in SQLite until the broadcast is done.
}
MAX_PHOTO_SIDES = 10_000  # Telegram: width + height at most 10,000
MAX_PHOTO_RATIO = 20  # Telegram: the longer side at most 20 times the shorter

_ZIP = b"PK\x03\x04"
_SIGNATURES = {  # a document named so must start like this
    ".pdf": (b"%PDF-",),
    ".docx": (_ZIP,), ".xlsx": (_ZIP,), ".pptx": (_ZIP,), ".odt": (_ZIP,), ".ods": (_ZIP,),
    ".zip": (_ZIP,),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
    ".webp": (b"RIFF",),
}
_JPEG_FRAMES = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD,
                          0xCE, 0xCF})


def check_file(kind: MediaKind, filename: str | None, content: bytes) -> None:
    """Refusal (one line, for "broadcast: …") when the bytes may not be sent as `kind`."""
    name: str | Refusal = filename or Refusal(r.UNNAMED_FILE)
    if not content:
        raise Refusal(r.FILE_EMPTY, name=name)
    if len(content) > MAX_BYTES[kind]:
        raise Refusal(r.IMAGE_TOO_LARGE if kind is MediaKind.PHOTO else r.DOCUMENT_TOO_LARGE,
                      name=name, megabytes=MAX_BYTES[kind] // 1_000_000)
    if kind is MediaKind.PHOTO:
        width, height = image_size(content, name)
        if width + height > MAX_PHOTO_SIDES:
            raise Refusal(r.IMAGE_TOO_BIG, name=name, width=width, height=height,
                          limit=MAX_PHOTO_SIDES)
        if max(width, height) > MAX_PHOTO_RATIO * min(width, height):
            raise Refusal(r.IMAGE_TOO_NARROW, name=name, width=width, height=height,
                          ratio=MAX_PHOTO_RATIO)
        return
    suffix = PurePath(filename or "").suffix.lower()
    starts = _SIGNATURES.get(suffix)
    if starts is not None and not content.startswith(starts):
        raise Refusal(r.NOT_AS_NAMED, name=name, kind=suffix[1:].upper())


def image_size(content: bytes, name: str | Refusal | None = None) -> tuple[int, int]:
    """(width, height) of a whole JPEG, PNG or WebP image; Refusal for anything else."""
    name = name or Refusal(r.UNNAMED_FILE)
    try:
        if content.startswith(b"\x89PNG\r\n\x1a\n"):
            return _png(content)
        if content.startswith(b"\xff\xd8\xff"):
            return _jpeg(content)
        if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
            return _webp(content)
    except (struct.error, IndexError, ValueError):
        pass
    else:
        raise Refusal(r.NOT_AN_IMAGE, name=name)
    raise Refusal(r.BROKEN_IMAGE, name=name)


def _png(content: bytes) -> tuple[int, int]:
    length, chunk, width, height = struct.unpack(">I4sII", content[8:24])
    if chunk != b"IHDR" or length != 13 or not content.endswith(b"IEND\xaeB`\x82"):
        raise ValueError("broken PNG")
    return _sides(width, height)


def _jpeg(content: bytes) -> tuple[int, int]:
    """Walk the segments up to the start of the scan; the frame header has the size."""
    at, size = 2, None
    while True:
        if content[at] != 0xFF:
            raise ValueError("broken JPEG")
        marker = content[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        (length,) = struct.unpack(">H", content[at + 2:at + 4])
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", content[at + 5:at + 9])
            size = (width, height)
        if marker == 0xDA:  # start of scan: the image data follow, then the end marker
            if size is None or content.rfind(b"\xff\xd9") < at:
                raise ValueError("broken JPEG")
            return _sides(*size)
        at += 2 + length


def _webp(content: bytes) -> tuple[int, int]:
    (riff_size,) = struct.unpack("<I", content[4:8])
    if riff_size + 8 > len(content) or riff_size < 20:
        raise ValueError("broken WebP")
    chunk = content[12:16]
    if chunk == b"VP8 " and content[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", content[26:30])
        return _sides(width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L" and content[20] == 0x2F:
        (bits,) = struct.unpack("<I", content[21:25])
        return _sides((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X":
        width = int.from_bytes(content[24:27], "little") + 1
        height = int.from_bytes(content[27:30], "little") + 1
        return _sides(width, height)
    raise ValueError("broken WebP")


def _sides(width: int, height: int) -> tuple[int, int]:
    if width < 1 or height < 1:
        raise ValueError("no size")
    return width, height
