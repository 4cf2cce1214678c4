"""`python -m bot.features.drafts.extract pdf|docx|odt`: a document's bytes on stdin; on stdout
as JSON its text ({"text": …}, {"encrypted": true}, or null when it cannot be read) and, for a
PDF, page 1 as a PNG for the consultant's preview ({"preview": base64, or null}). Run as a child
process by reading.py; it limits its own memory and CPU time first, so a malicious file cannot
take the bot down with it."""

from __future__ import annotations

import base64
import io
import json
import resource
import struct
import sys
import zlib

MEMORY_BYTES = 768 * 1024 * 1024
CPU_SECONDS = 15
MAX_PAGES = 30
PREVIEW_PIXELS = 1600
"""Page 1's longer side in the preview, at most (readable on a phone, small to send)."""
MAX_ASPECT = 20
"""Telegram refuses a photo whose sides differ more than this many times."""


def limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def pdf_text(content: bytes) -> str | None:
    """None for an encrypted PDF."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    if reader.is_encrypted:
        return None
    return "\n\n".join(page.extract_text() or "" for page in reader.pages[:MAX_PAGES])


def docx_text(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def odt_text(content: bytes) -> str:
    """Every paragraph and heading, in the document's order (in lists and tables too)."""
    from odf import teletype
    from odf.element import Element
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    wanted = {(TEXTNS, "p"), (TEXTNS, "h")}
    lines: list[str] = []

    def walk(node: Element) -> None:
        for child in node.childNodes:
            if child.nodeType != Element.ELEMENT_NODE:
                continue
            if child.qname in wanted:
                lines.append(teletype.extractText(child))
            else:
                walk(child)

    walk(load(io.BytesIO(content)).text)
    return "\n".join(lines)


def pdf_page_one(content: bytes) -> bytes | None:
    """Page 1 drawn by PDFium as a PNG, its longer side PREVIEW_PIXELS; None for a page too
    odd in shape to send as a photo."""
    import pypdfium2

    document = pypdfium2.PdfDocument(content)
    try:
        page = document[0]
        width, height = page.get_size()
        if min(width, height) <= 0 or max(width, height) > MAX_ASPECT * min(width, height):
            return None
        bitmap = page.render(scale=PREVIEW_PIXELS / max(width, height), rev_byteorder=True)
        if bitmap.n_channels != 3:
            return None
        return png(bitmap.width, bitmap.height, bitmap.stride, bytes(bitmap.buffer))
    finally:
        document.close()


def png(width: int, height: int, stride: int, rgb: bytes) -> bytes:
    """8-bit RGB rows (`stride` bytes apart) as a PNG file."""
    row = width * 3
    raw = b"".join(b"\x00" + rgb[y * stride:y * stride + row] for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6))
            + chunk(b"IEND", b""))


def read(kind: str, content: bytes) -> dict[str, object]:
    answer: dict[str, object] = {"text": None}
    try:
        if kind == "pdf":
            text = pdf_text(content)
            answer = {"encrypted": True} if text is None else {"text": text}
        elif kind == "docx":
            answer = {"text": docx_text(content)}
        elif kind == "odt":
            answer = {"text": odt_text(content)}
    except Exception:  # a broken file is unreadable, whatever broke in it
        answer = {"text": None}
    if kind == "pdf" and not answer.get("encrypted"):
        try:
            preview = pdf_page_one(content)
        except Exception:  # a page PDFium cannot draw: the file goes without a preview
            preview = None
        answer["preview"] = base64.b64encode(preview).decode() if preview else None
    return answer


def main() -> int:
    limit()
    kind = sys.argv[1] if len(sys.argv) > 1 else ""
    sys.stdout.write(json.dumps(read(kind, sys.stdin.buffer.read())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
