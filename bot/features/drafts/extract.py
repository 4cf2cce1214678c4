"""`python -m bot.features.drafts.extract pdf|docx|odt`: a document's bytes on stdin, its text
as JSON on stdout ({"text": …}, {"encrypted": true} or {"text": null}). Run as a child process
by reading.py; it limits its own memory and CPU time first, so a malicious file cannot take the
bot down with it."""

from __future__ import annotations

import io
import json
import resource
import sys
import zipfile
from xml.etree import ElementTree

MEMORY_BYTES = 768 * 1024 * 1024
CPU_SECONDS = 15
MAX_PAGES = 30
_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


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
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        root = ElementTree.fromstring(archive.read("content.xml"))
    wanted = {f"{{{_ODF_TEXT}}}p", f"{{{_ODF_TEXT}}}h"}
    return "\n".join("".join(element.itertext()) for element in root.iter()
                     if element.tag in wanted)


def main() -> int:
    limit()
    kind = sys.argv[1] if len(sys.argv) > 1 else ""
    content = sys.stdin.buffer.read()
    answer: dict[str, object]
    try:
        if kind == "pdf":
            text = pdf_text(content)
            answer = {"encrypted": True} if text is None else {"text": text}
        elif kind == "docx":
            answer = {"text": docx_text(content)}
        elif kind == "odt":
            answer = {"text": odt_text(content)}
        else:
            answer = {"text": None}
    except Exception:  # a broken file is unreadable, whatever broke in it
        answer = {"text": None}
    sys.stdout.write(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
