"""Small draft files made in the tests (no binaries from outside): a PDF with a line of text,
an encrypted PDF, DOCX, a DOCX with macros, ODT, a JPEG's first bytes, a PNG and a zip
bomb."""

from __future__ import annotations

import io
import zipfile


def pdf(text: str) -> bytes:
    """A one-page PDF whose page shows `text` (ASCII) in Helvetica."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return out


def encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx(*paragraphs: str) -> bytes:
    from docx import Document

    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docm(text: str) -> bytes:
    """A DOCX with a macro project inside, as Word saves a .docm."""
    buffer = io.BytesIO(docx(text))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macros")
    return buffer.getvalue()


def odt(*paragraphs: str) -> bytes:
    """An OpenDocument text as odfpy writes it (mimetype first, manifest, styles, content)."""
    from odf import text
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    for paragraph in paragraphs:
        document.text.addElement(text.P(text=paragraph))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def odt_with_heading_and_list(heading: str, item: str, closing: str) -> bytes:
    from odf import text
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    document.text.addElement(text.H(outlinelevel=1, text=heading))
    listing = text.List()
    entry = text.ListItem()
    entry.addElement(text.P(text=item))
    listing.addElement(entry)
    document.text.addElement(listing)
    document.text.addElement(text.P(text=closing))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def jpeg() -> bytes:
    """The start of a JPEG: what tells the type (a scan sent as a file)."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200)


def png(width: int = 4, height: int = 3) -> bytes:
    """A real (white) PNG: a scan of a page sent as a file."""
    from bot.features.drafts.extract import png as encode

    return encode(width, height, width * 3, b"\xff" * (width * height * 3))


def zip_bomb() -> bytes:
    """A "DOCX" that unpacks to 20 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", bytes(20_000_000))
    return buffer.getvalue()
