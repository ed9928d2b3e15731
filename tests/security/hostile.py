"""A battery of hostile files, built when the tests run (nothing binary is checked in),
each with the outcome it must have when pushed through the upload page:

- refused: answered 400 with a message that says why; no row and no bytes are kept;
- neutralised: stored, but without the hostile part (pictures are saved again, which drops
  anything riding on them; names lose invisible tricks);
- accepted: stored exactly as sent (the ordinary files that prove the checks aren't blunt).

`python -m tests.security.hostile` prints the table of classes for the record.
"""

import io
import random
import re
import stat
import struct
import sys
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from tests import samples

REFUSED, NEUTRALISED, ACCEPTED = "refused", "neutralised", "accepted"


@dataclass(frozen=True)
class Case:
    family: str
    tried: str
    name: str
    build: Callable[[], bytes]
    outcome: str
    says: str = ""  # refused: part of the message the page must show
    gone: bytes = b""  # neutralised: bytes that must not be in what is stored
    stored_name: str = ""  # neutralised names: the name that must be stored
    needs_clamd: bool = False

    @property
    def id(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", f"{self.family} {self.tried}".lower()).strip("-")


# -- building blocks ---------------------------------------------------------------------


def eicar() -> bytes:
    # The standard anti-virus test file, in two halves so this source isn't flagged itself.
    return b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def noisy_jpeg(size=(320, 240)) -> bytes:
    """A photo-like JPEG big enough that cutting it loses real picture data."""
    rng = random.Random(18)
    pixels = bytes(rng.getrandbits(8) for _ in range(size[0] * size[1] * 3))
    output = io.BytesIO()
    Image.frombytes("RGB", size, pixels).save(output, "JPEG", quality=90)
    return output.getvalue()


def noisy_png(size=(200, 150)) -> bytes:
    rng = random.Random(18)
    pixels = bytes(rng.getrandbits(8) for _ in range(size[0] * size[1] * 3))
    output = io.BytesIO()
    Image.frombytes("RGB", size, pixels).save(output, "PNG")
    return output.getvalue()


def webp() -> bytes:
    output = io.BytesIO()
    pixels = bytes(n % 251 for n in range(120 * 90 * 3))
    Image.frombytes("RGB", (120, 90), pixels).save(output, "WEBP", quality=80)
    return output.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A complete, well-formed PNG whose header claims a huge size: the decompression
    bomb's shape, without the gigabytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + _png_chunk(b"IEND", b"")
    )


def jpeg_claiming(width: int, height: int) -> bytes:
    data = bytearray(samples.jpeg(with_location=False))
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def with_comment(jpeg: bytes, comment: bytes) -> bytes:
    """A JPEG comment segment (COM) right after the start marker."""
    return jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + jpeg[2:]


def damaged_png() -> bytes:
    data = bytearray(noisy_png())
    idat = data.find(b"IDAT")
    data[idat + 40] ^= 0xFF
    return bytes(data)


PE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\0" * 48
    + b"This program cannot be run in DOS mode.\r\r\n$"
    + b"\0" * 64
)
MACH_O = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\0" * 64
JAVA_CLASS = b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + b"\0" * 64
WINDOWS_SHORTCUT = b"L\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00F"
SCRIPT = b"<script>alert(document.cookie)</script>"
GIF_SCRIPT = b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;alert(document.cookie);//" + b"\0" * 32
GIF_BINARY = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00"
    + b"!\xfe"
    + bytes([len(SCRIPT)])
    + SCRIPT
    + b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def _zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    output = io.BytesIO()
    with (
        warnings.catch_warnings(),  # a repeated name is one of the tricks
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        warnings.simplefilter("ignore", UserWarning)
        for info, data in entries:
            archive.writestr(info, data)
    return output.getvalue()


def docx_with(*extra: tuple[zipfile.ZipInfo | str, bytes]) -> bytes:
    """A minimal Word file plus `extra` entries."""
    base = samples.docx()
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        entries = [(name, archive.read(name)) for name in archive.namelist()]
    return _zip([*entries, *extra])


def odt(*extra: tuple[str, bytes]) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        "<office:body><office:text><text:p>Notes from the peer support group</text:p>"
        "</office:text></office:body></office:document-content>"
    )
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", "<manifest/>", zipfile.ZIP_DEFLATED)
        for name, data in extra:
            archive.writestr(name, data, zipfile.ZIP_DEFLATED)
    return output.getvalue()


def link_entry(name: str, kind: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # Unix, so the mode bits are read
    info.external_attr = (kind | 0o777) << 16
    return info


def _central_entry(data: bytes, name: bytes) -> int:
    """Where the central directory record for `name` starts."""
    return data.find(name, data.find(b"PK\x01\x02")) - 46


def declared_huge() -> bytes:
    """A Word file whose central directory says one part unpacks to 300 MB."""
    data = bytearray(docx_with(("word/media/notes.txt", b"x" * 2000)))
    entry = _central_entry(data, b"word/media/notes.txt")
    data[entry + 24 : entry + 28] = struct.pack("<I", 300 * 1024 * 1024)
    return bytes(data)


def lying_size() -> bytes:
    """A part that says it is 1 KB and unpacks to 200 KB (the sizes and checksum no longer
    agree, which is how bombs get past limits that trust the declared size)."""
    rng = random.Random(18)
    payload = bytes(rng.getrandbits(8) for _ in range(200 * 1024))
    name = b"word/media/data.bin"
    data = bytearray(docx_with((name.decode(), payload)))
    local = data.find(name) - 30
    data[local + 22 : local + 26] = struct.pack("<I", 1024)
    central = _central_entry(data, name)
    data[central + 24 : central + 28] = struct.pack("<I", 1024)
    return bytes(data)


def overlapping() -> bytes:
    """Two directory entries that point at the same data: the smallest zip bombs repeat
    one compressed block this way thousands of times."""
    data = docx_with(("word/media/a.txt", b"a" * 100))
    end = data.rfind(b"PK\x05\x06")
    count, cd_size, cd_offset = struct.unpack("<HII", data[end + 10 : end + 20])
    directory = data[cd_offset : cd_offset + cd_size]
    name = b"word/media/a.txt"
    start = directory.find(name) - 46
    extra_len, comment_len = struct.unpack("<HH", directory[start + 30 : start + 34])
    copy = bytearray(directory[start : start + 46 + len(name) + extra_len + comment_len])
    copy[46 : 46 + len(name)] = b"word/media/b.txt"
    directory += bytes(copy)
    tail = b"PK\x05\x06\x00\x00\x00\x00" + struct.pack(
        "<HHIIH", count + 1, count + 1, len(directory), cd_offset, 0
    )
    return data[:cd_offset] + directory + tail


def too_many_parts() -> bytes:
    return docx_with(*[(f"word/media/p{n}.xml", b"<p/>") for n in range(2100)])


def _startxref(pdf: bytes) -> int:
    return int(re.search(rb"startxref\s+(\d+)", pdf).group(1))


def pdf_with_forged_trailer() -> bytes:
    """A zip hidden between the real end and a copied trailer, so the file still ends
    with %%EOF and still opens as a PDF."""
    pdf = samples.pdf()
    return pdf + samples.plain_zip() + b"\nstartxref\n%d\n%%%%EOF\n" % _startxref(pdf)


def pdf_incremental_update() -> bytes:
    """A PDF saved twice (an incremental update): two %%EOF markers, legitimately."""
    pdf = samples.pdf()
    offset = len(pdf)
    body = b"6 0 obj\n<< /Title (Updated) >>\nendobj\n"
    xref = offset + len(body)
    update = (
        body
        + b"xref\n0 1\n0000000000 65535 f \n6 1\n%010d 00000 n \n" % offset
        + b"trailer\n<< /Size 7 /Root 1 0 R /Info 6 0 R /Prev %d >>\n" % _startxref(pdf)
        + b"startxref\n%d\n%%%%EOF\n" % xref
    )
    return pdf + update


def pdf_page(extra: bytes) -> bytes:
    """A one-page PDF whose page dictionary carries `extra`."""
    stream = b"BT /F1 12 Tf 72 720 Td (Notes) Tj ET"
    return samples._pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R " + extra + b">>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def pdf_script_in_object_stream() -> bytes:
    """PDF 1.5: the page (with a script that runs when it opens) is packed, compressed,
    inside an object stream, and found through a cross-reference stream. A search of the
    file's bytes sees nothing."""
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/AA << /O << /S /JavaScript /JS (app.alert(1)) >> >> >>"
    )
    packed_header = b"3 0 "
    packed = zlib.compress(packed_header + page)
    content = b"BT /F1 12 Tf 72 720 Td (Notes) Tj ET"
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n")
    offsets = {}

    def obj(number: int, body: bytes) -> None:
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    obj(4, b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    obj(
        5,
        b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(packed_header), len(packed))
        + packed
        + b"\nendstream",
    )
    offsets[6] = out.tell()
    rows = [
        struct.pack(">BIH", 0, 0, 65535),
        struct.pack(">BIH", 1, offsets[1], 0),
        struct.pack(">BIH", 1, offsets[2], 0),
        struct.pack(">BIH", 2, 5, 0),  # object 3 is the first object in stream 5
        struct.pack(">BIH", 1, offsets[4], 0),
        struct.pack(">BIH", 1, offsets[5], 0),
        struct.pack(">BIH", 1, offsets[6], 0),
    ]
    table = b"".join(rows)
    out.write(
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % len(table)
        + table
        + b"\nendstream\nendobj\n"
    )
    out.write(b"startxref\n%d\n%%%%EOF\n" % offsets[6])
    return out.getvalue()


def pdf_head_markup() -> bytes:
    return samples.pdf().replace(
        b"%PDF-1.4\n", b"%PDF-1.4\n%<html><body>" + SCRIPT + b"</body></html>\n", 1
    )


SVG_SCRIPT = samples.SVG
SVG_ONLOAD = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
SVG_PROLOG = b'<?xml version="1.0"?>\n' + SVG_ONLOAD
LONG_TEXT_THEN_SVG = b"Notes from today's group.\n" * 8000 + SVG_ONLOAD


# -- the battery -------------------------------------------------------------------------

POLYGLOTS = "Polyglots"
ARCHIVES = "Archives: traversal, links, hidden parts"
BOMBS = "Zip bombs"
PICTURES = "Truncated and huge pictures"
PDF_SCRIPTS = "Scripts and actions in PDFs"
MARKUP = "Scripts in SVG and web pages"
PROGRAMS = "Programs under other names"
VIRUS = "EICAR test virus"
NAMES = "Tricks in file names"
ORDINARY = "Ordinary files (must still pass)"

UNSAFE_ZIP = "point outside it, are links, or overlap"
HIDDEN_FILES = "other files hidden inside it"
PDF_ACTIVE = "contains scripts, attachments or actions"
WEB = "Web pages, SVG images and scripts"
PROGRAM = "Programs and scripts can't be uploaded"
VIRUS_CHECK = "failed our virus check"

CASES: list[Case] = [
    # Polyglots: one file that is two things at once.
    Case(POLYGLOTS, "PDF with a zip appended after %%EOF", "notes.pdf",
         lambda: samples.pdf() + samples.plain_zip(), REFUSED, says="stuck on after its end"),
    Case(POLYGLOTS, "PDF with a zip and a forged trailer after %%EOF", "notes.pdf",
         pdf_with_forged_trailer, REFUSED, says="a PDF and an archive at the same time"),
    Case(POLYGLOTS, "PDF with a web page appended", "notes.pdf",
         lambda: samples.pdf() + samples.HTML, REFUSED, says="stuck on after its end"),
    Case(POLYGLOTS, "PDF with a web page in its first comment", "notes.pdf",
         pdf_head_markup, REFUSED, says="web page code hidden at its start"),
    Case(POLYGLOTS, "JPEG with a web page after its end marker", "photo.jpg",
         lambda: samples.jpeg() + samples.HTML, NEUTRALISED, gone=b"<script"),
    Case(POLYGLOTS, "JPEG with a web page in a comment segment", "photo.jpg",
         lambda: with_comment(samples.jpeg(), samples.HTML), NEUTRALISED, gone=b"<script"),
    Case(POLYGLOTS, "JPEG with a Windows program appended", "photo.jpg",
         lambda: samples.jpeg() + PE, NEUTRALISED, gone=b"cannot be run in DOS mode"),
    Case(POLYGLOTS, "PNG with a zip appended", "picture.png",
         lambda: samples.png() + samples.plain_zip(), NEUTRALISED, gone=b"PK\x03\x04"),
    Case(POLYGLOTS, "GIF whose header is also a script, named .gif", "cat.gif",
         lambda: GIF_SCRIPT, REFUSED, says="GIF images can't be uploaded"),
    Case(POLYGLOTS, "GIF whose header is also a script, named .txt", "notes.txt",
         lambda: GIF_SCRIPT, REFUSED, says="GIF images can't be uploaded"),
    Case(POLYGLOTS, "GIF with a script in its comment, named .png", "picture.png",
         lambda: GIF_BINARY, REFUSED, says="GIF images can't be uploaded"),
    Case(POLYGLOTS, "Rich text (can carry programs) named .txt", "notes.txt",
         lambda: b"{\\rtf1\\ansi {\\object\\objemb {\\*\\objdata 0105}}}", REFUSED,
         says="Rich text (.rtf) files"),
    # Archives: Word and OpenDocument files are zips; their parts must stay inside.
    Case(ARCHIVES, "Word file with a ../ path", "letter.docx",
         lambda: docx_with(("../../etc/cron.d/job", b"* * * * * root sh")), REFUSED,
         says=UNSAFE_ZIP),
    Case(ARCHIVES, "Word file with an absolute path", "letter.docx",
         lambda: docx_with(("/etc/passwd", b"root:x:0:0")), REFUSED, says=UNSAFE_ZIP),
    Case(ARCHIVES, "Word file with a Windows drive path", "letter.docx",
         lambda: docx_with(("C:/Windows/Temp/run.bat", b"echo")), REFUSED, says=UNSAFE_ZIP),
    Case(ARCHIVES, "Word file with backslashes in a path", "letter.docx",
         lambda: docx_with(("word\\..\\..\\evil.xml", b"<x/>")), REFUSED, says=UNSAFE_ZIP),
    Case(ARCHIVES, "Word file with a symbolic link", "letter.docx",
         lambda: docx_with((link_entry("word/media/image1.png", stat.S_IFLNK), b"/etc/passwd")),
         REFUSED, says=UNSAFE_ZIP),
    Case(ARCHIVES, "Word file with a device entry", "letter.docx",
         lambda: docx_with((link_entry("word/media/tty", stat.S_IFCHR), b"")), REFUSED,
         says=UNSAFE_ZIP),
    Case(ARCHIVES, "Word file with the same part twice", "letter.docx",
         lambda: docx_with(("word/document.xml", b"<w:document/>")), REFUSED, says=UNSAFE_ZIP),
    Case(ARCHIVES, "Word file with a part outside the expected folders", "letter.docx",
         lambda: docx_with(("payload/run.bin", b"\x00" * 64)), REFUSED, says=HIDDEN_FILES),
    Case(ARCHIVES, "Word file carrying a spreadsheet's parts", "letter.docx",
         lambda: docx_with(("xl/workbook.xml", b"<workbook/>")), REFUSED, says=HIDDEN_FILES),
    Case(ARCHIVES, "Word file with a program named image1.png", "letter.docx",
         lambda: docx_with(("word/media/image1.png", PE)), REFUSED, says=HIDDEN_FILES),
    Case(ARCHIVES, "Word file with an embedded OLE package", "letter.docx",
         lambda: docx_with(("word/embeddings/oleObject1.bin", samples.OLE_DOC)), REFUSED,
         says=HIDDEN_FILES),
    Case(ARCHIVES, "Word file with a zip inside", "letter.docx",
         lambda: docx_with(("word/media/more.zip", samples.plain_zip())), REFUSED,
         says=HIDDEN_FILES),
    Case(ARCHIVES, "OpenDocument file with a ../ path", "letter.odt",
         lambda: odt(("../evil.sh", b"rm -rf ~")), REFUSED, says=UNSAFE_ZIP),
    Case(ARCHIVES, "OpenDocument file with an unexpected part", "letter.odt",
         lambda: odt(("run/payload.bin", b"\x00" * 64)), REFUSED, says=HIDDEN_FILES),
    Case(ARCHIVES, "Plain zip with a ../ path", "bundle.zip",
         lambda: _zip([("../notes.txt", b"hello")]), REFUSED, says=UNSAFE_ZIP),
    # Zip bombs.
    Case(BOMBS, "Part that unpacks to 1,000 times its size", "letter.docx",
         samples.zip_bomb, REFUSED, says="unpacks to far more than its size"),
    Case(BOMBS, "Directory that declares 300 MB unpacked", "letter.docx",
         declared_huge, REFUSED, says="unpacks to far more than its size"),
    Case(BOMBS, "Part that lies about its unpacked size", "letter.docx",
         lying_size, REFUSED, says="damaged"),
    Case(BOMBS, "Two entries sharing one block of data (overlap)", "letter.docx",
         overlapping, REFUSED, says=UNSAFE_ZIP),
    Case(BOMBS, "2,100 parts", "letter.docx",
         too_many_parts, REFUSED, says="too many parts"),
    # Pictures (the test loads the PDF library first, as the web process does).
    Case(PICTURES, "JPEG cut to two thirds", "photo.jpg",
         lambda: (lambda d: d[: len(d) * 2 // 3])(noisy_jpeg()), REFUSED, says="incomplete"),
    Case(PICTURES, "JPEG missing only its end marker", "photo.jpg",
         lambda: noisy_jpeg()[:-2], REFUSED, says="incomplete"),
    Case(PICTURES, "PNG cut to two thirds", "picture.png",
         lambda: (lambda d: d[: len(d) * 2 // 3])(noisy_png()), REFUSED, says="incomplete"),
    Case(PICTURES, "PNG with a damaged chunk", "picture.png",
         damaged_png, REFUSED, says="damaged"),
    Case(PICTURES, "WebP cut in half", "picture.webp",
         lambda: (lambda d: d[: len(d) // 2])(webp()), REFUSED, says="incomplete"),
    Case(PICTURES, "PNG claiming 100,000 x 100,000 pixels", "picture.png",
         lambda: png_claiming(100_000, 100_000), REFUSED, says="too large"),
    Case(PICTURES, "PNG claiming 8,000 x 8,000 pixels", "picture.png",
         lambda: png_claiming(8_000, 8_000), REFUSED, says="too large"),
    Case(PICTURES, "JPEG claiming 65,000 x 65,000 pixels", "photo.jpg",
         lambda: jpeg_claiming(65_000, 65_000), REFUSED, says="too large"),
    # Scripts and actions in PDFs.
    Case(PDF_SCRIPTS, "JavaScript run on opening (OpenAction)", "form.pdf",
         samples.pdf_with_javascript, REFUSED, says=PDF_ACTIVE),
    Case(PDF_SCRIPTS, "Link that launches a program (Launch)", "form.pdf",
         lambda: pdf_page(b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "
                          b"/A << /S /Launch /F (cmd.exe) >> >>] "), REFUSED, says=PDF_ACTIVE),
    Case(PDF_SCRIPTS, "Page-open script with #-escaped names", "form.pdf",
         lambda: pdf_page(b"/AA << /O << /S /J#61vaScript /J#53 (app.alert(1)) >> >> "),
         REFUSED, says=PDF_ACTIVE),
    Case(PDF_SCRIPTS, "Script packed in a compressed object stream", "form.pdf",
         pdf_script_in_object_stream, REFUSED, says=PDF_ACTIVE),
    Case(PDF_SCRIPTS, "Embedded file attachment", "form.pdf",
         lambda: samples.pdf(catalog_extra=b"/Names << /EmbeddedFiles << /Names [] >> >> "),
         REFUSED, says=PDF_ACTIVE),
    Case(PDF_SCRIPTS, "Form that sends its data away (SubmitForm)", "form.pdf",
         lambda: pdf_page(b"/Annots [<< /Type /Annot /Subtype /Widget /Rect [0 0 9 9] "
                          b"/A << /S /Submit#46orm /F (https://example.com/) >> >>] "),
         REFUSED, says=PDF_ACTIVE),
    # Scripts in SVG and web pages.
    Case(MARKUP, "SVG with a script, named .svg", "picture.svg",
         lambda: SVG_SCRIPT, REFUSED, says=WEB),
    Case(MARKUP, "SVG with a script, named .png", "picture.png",
         lambda: SVG_SCRIPT, REFUSED, says=WEB),
    Case(MARKUP, "SVG with an onload handler, named .txt", "notes.txt",
         lambda: SVG_ONLOAD, REFUSED, says=WEB),
    Case(MARKUP, "SVG with an XML prolog, named .jpg", "photo.jpg",
         lambda: SVG_PROLOG, REFUSED, says=WEB),
    Case(MARKUP, "SVG after 200 KB of ordinary text", "notes.txt",
         lambda: LONG_TEXT_THEN_SVG, REFUSED, says=WEB),
    Case(MARKUP, "Web page named .txt", "notes.txt",
         lambda: samples.HTML, REFUSED, says=WEB),
    Case(MARKUP, "Web page named .pdf", "notes.pdf",
         lambda: samples.HTML, REFUSED, says=WEB),
    Case(MARKUP, "Compressed SVG named .png", "picture.png",
         lambda: zlib.compress(SVG_SCRIPT), REFUSED, says="This type of file can't be uploaded"),
    # Programs under other names.
    Case(PROGRAMS, "Windows program named .jpg", "photo.jpg",
         lambda: PE, REFUSED, says=PROGRAM),
    Case(PROGRAMS, "Windows program named .pdf", "report.pdf",
         lambda: PE, REFUSED, says=PROGRAM),
    Case(PROGRAMS, "Linux program named .pdf", "report.pdf",
         lambda: samples.ELF, REFUSED, says=PROGRAM),
    Case(PROGRAMS, "Mac program named .jpg", "photo.jpg",
         lambda: MACH_O, REFUSED, says=PROGRAM),
    Case(PROGRAMS, "Java class named .docx", "letter.docx",
         lambda: JAVA_CLASS, REFUSED, says=PROGRAM),
    Case(PROGRAMS, "Shell script named .jpg", "photo.jpg",
         lambda: samples.SHELL_SCRIPT, REFUSED, says=PROGRAM),
    Case(PROGRAMS, "Shell script named .txt", "notes.txt",
         lambda: samples.SHELL_SCRIPT, REFUSED, says=PROGRAM),
    Case(PROGRAMS, "Windows shortcut named .pdf", "report.pdf",
         lambda: WINDOWS_SHORTCUT, REFUSED, says="This type of file can't be uploaded"),
    # The EICAR test file, which every virus scanner recognises.
    Case(VIRUS, "EICAR as a text file", "notes.txt",
         eicar, REFUSED, says=VIRUS_CHECK, needs_clamd=True),
    Case(VIRUS, "EICAR inside a Word file", "letter.docx",
         lambda: docx_with(("word/media/notes.txt", eicar())), REFUSED, says=VIRUS_CHECK,
         needs_clamd=True),
    Case(VIRUS, "EICAR after a JPEG's end marker", "photo.jpg",
         lambda: samples.jpeg() + eicar(), REFUSED, says=VIRUS_CHECK, needs_clamd=True),
    # Names.
    Case(NAMES, "Right-to-left override (invoice\u202efdp.jpg)", "invoice\u202efdp.jpg",
         samples.jpeg, NEUTRALISED, stored_name="invoicefdp.jpg"),
    Case(NAMES, "Decomposed accent (cafe + combining acute)", "cafe\u0301 notes.pdf",
         samples.pdf, NEUTRALISED, stored_name="caf\u00e9 notes.pdf"),
    Case(NAMES, "Control characters in the name", "notes\x07\x1b[31m.pdf",
         samples.pdf, NEUTRALISED, stored_name="notes[31m.pdf"),
    # Ordinary files: the checks must not refuse what people really send.
    Case(ORDINARY, "PDF", "notes.pdf", samples.pdf, ACCEPTED),
    Case(ORDINARY, "PDF saved twice (incremental update)", "notes.pdf",
         pdf_incremental_update, ACCEPTED),
    Case(ORDINARY, "PDF ending in blank lines and NULs", "notes.pdf",
         lambda: samples.pdf() + b"\r\n\0\0\n", ACCEPTED),
    Case(ORDINARY, "PDF with a web link (URI action)", "notes.pdf",
         lambda: pdf_page(b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "
                          b"/A << /S /URI /URI (https://example.org/) >> >>] "), ACCEPTED),
    Case(ORDINARY, "PDF that opens at its first page (OpenAction GoTo)", "notes.pdf",
         lambda: samples.pdf(catalog_extra=b"/OpenAction [3 0 R /Fit] "), ACCEPTED),
    Case(ORDINARY, "Word file", "notes.docx", samples.docx, ACCEPTED),
    Case(ORDINARY, "Word file with custom XML and a sensitivity label", "notes.docx",
         lambda: docx_with(("customXml/item1.xml", b"<x/>"),
                           ("docMetadata/LabelInfo.xml", b"<labelList/>"),
                           ("docProps/core.xml", b"<coreProperties/>")), ACCEPTED),
    Case(ORDINARY, "OpenDocument text with a picture", "notes.odt",
         lambda: odt(("Pictures/1.png", samples.png()), ("styles.xml", b"<styles/>")),
         ACCEPTED),
    Case(ORDINARY, "Text with an emoji and accents", "notes.txt",
         lambda: "Group went well \U0001f60a caf\u00e9\n".encode(), ACCEPTED),
    Case(ORDINARY, "JPEG photo", "photo.jpg", noisy_jpeg, ACCEPTED),
    Case(ORDINARY, "PNG picture", "picture.png", noisy_png, ACCEPTED),
    Case(ORDINARY, "WebP picture", "picture.webp", webp, ACCEPTED),
]  # fmt: skip


def table(cases: list[Case] = CASES) -> str:
    """The closing-note table: each class, how many files were tried, refused,
    neutralised and accepted."""
    counts: dict[str, Counter] = {}
    for case in cases:
        counts.setdefault(case.family, Counter())[case.outcome] += 1
    lines = [
        "| class | tried | refused | neutralised | accepted |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for family, count in counts.items():
        lines.append(
            f"| {family} | {sum(count.values())} | {count[REFUSED]} | {count[NEUTRALISED]} "
            f"| {count[ACCEPTED]} |"
        )
    total = Counter(case.outcome for case in cases)
    lines.append(
        f"| **all** | {len(cases)} | {total[REFUSED]} | {total[NEUTRALISED]} | {total[ACCEPTED]} |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(table() + "\n")
