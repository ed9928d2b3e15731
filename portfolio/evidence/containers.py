"""Structural checks on the containers uploads come in: is the picture complete, does the
PDF end where it says it ends, is the Word or OpenDocument zip put together honestly.

Each check reads bytes and returns a plain message saying what is wrong, or None when the
container is clean. They never consult process-wide switches (such as Pillow's "load
truncated images", which the PDF library turns on for the whole process), so their answer
is the same in every process and thread. uploads.py turns a message into a refusal.
"""

import re
import stat
import zipfile
import zlib
from itertools import pairwise
from typing import IO

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

CHUNK = 1024 * 1024

# -- pictures ----------------------------------------------------------------------------

PICTURE_INCOMPLETE = (
    "This picture is incomplete: it may not have finished saving or uploading. Open it on "
    "your device to check it, then upload it again."
)
PICTURE_DAMAGED = "This picture is damaged and can't be used."


def picture_problem(data: bytes, key: str) -> str | None:
    """Whether a JPEG, PNG or WebP file runs all the way to its own end marker."""
    walk = {"jpeg": _jpeg_problem, "png": _png_problem, "webp": _webp_problem}[key]
    return walk(data)


def _jpeg_problem(data: bytes) -> str | None:
    """Walk the segments to the end-of-image marker. A file cut short never reaches it.
    Anything after the marker is dropped when the picture is saved again."""
    size = len(data)
    if size < 4 or data[0] != 0xFF or data[1] != 0xD8:
        return PICTURE_DAMAGED
    pos = 2
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0:
            return PICTURE_INCOMPLETE
        while pos < size and data[pos] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos >= size:
            return PICTURE_INCOMPLETE
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # end of image
            return None
        if marker in (0x00, 0x01) or 0xD0 <= marker <= 0xD7:  # no length follows
            continue
        if pos + 2 > size:
            return PICTURE_INCOMPLETE
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2:
            return PICTURE_DAMAGED
        pos += length
        if pos > size:
            return PICTURE_INCOMPLETE
        if marker == 0xDA:  # start of scan: coded data runs to the next real marker
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= size:
                    return PICTURE_INCOMPLETE
                following = data[pos + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    pos += 2  # an escaped 0xFF byte, or a restart marker
                elif following == 0xFF:
                    pos += 1
                else:
                    break


def _png_problem(data: bytes) -> str | None:
    """Walk the chunks to IEND, checking each chunk's checksum on the way."""
    view = memoryview(data)
    size = len(data)
    pos = 8
    while True:
        if pos + 12 > size:
            return PICTURE_INCOMPLETE
        length = int.from_bytes(data[pos : pos + 4], "big")
        end = pos + 12 + length
        if end > size:
            return PICTURE_INCOMPLETE
        if zlib.crc32(view[pos + 4 : end - 4]) != int.from_bytes(data[end - 4 : end], "big"):
            return PICTURE_DAMAGED
        if data[pos + 4 : pos + 8] == b"IEND":
            return None
        pos = end


def _webp_problem(data: bytes) -> str | None:
    """The RIFF header gives the file's length; every chunk must fit inside it."""
    size = len(data)
    if size < 20:
        return PICTURE_INCOMPLETE
    end = 8 + int.from_bytes(data[4:8], "little")
    if end > size:
        return PICTURE_INCOMPLETE
    pos = 12
    while pos < end:
        if pos + 8 > end:
            return PICTURE_INCOMPLETE
        length = int.from_bytes(data[pos + 4 : pos + 8], "little")
        pos += 8 + length
        if pos > end:
            return PICTURE_INCOMPLETE
        pos += length & 1  # chunks are padded to an even length
    return None


# -- PDF ---------------------------------------------------------------------------------

PDF_WHITESPACE = b"\x00\t\n\x0c\r "
PDF_TAIL_BYTES = 64 * 1024
# Browsers sniff the first 512 bytes for web pages; look at twice that.
PDF_HEAD_BYTES = 1024
PDF_MAX_OBJECTS = 250_000
# Web page code near the start of a PDF is how PDF-and-web-page polyglots are made.
PDF_HEAD_MARKUP = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|object|embed|svg)\b", re.IGNORECASE
)
# Dictionary keys that run something, carry other files or send data somewhere.
PDF_ACTIVE_KEYS = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/AA",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/XFA",
    }
)
# Action types (the /S of an action) other than following a link or turning a page.
PDF_ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/RichMediaExecute",
        "/Rendition",
    }
)

PDF_TRAILING_DATA = (
    "This PDF has something else stuck on after its end, which is how harmful files "
    "hide. Print it to a new PDF (or save it as PDF again) and upload that."
)
PDF_ARCHIVE = (
    "This file is a PDF and an archive at the same time, which is how harmful files hide. "
    "Print it to a new PDF (or save it as PDF again) and upload that."
)
PDF_MARKUP = (
    "This PDF has web page code hidden at its start, which is how harmful files hide. "
    "Print it to a new PDF (or save it as PDF again) and upload that."
)
PDF_TOO_COMPLEX = "This PDF is too complex for us to check. Save it as a smaller PDF and upload it."


class PdfTooComplex(Exception):
    """The PDF has more objects than we are willing to walk."""


def pdf_container_problem(upload: IO[bytes], head: bytes) -> str | None:
    """A PDF must end with its end-of-file marker (whitespace may follow, nothing else),
    must not also be a zip archive, and must not start with web page code."""
    upload.seek(0, 2)
    size = upload.tell()
    upload.seek(max(0, size - PDF_TAIL_BYTES))
    tail = upload.read()
    upload.seek(0)
    if not tail.rstrip(PDF_WHITESPACE).endswith(b"%%EOF"):
        return PDF_TRAILING_DATA
    if PDF_HEAD_MARKUP.search(head[:PDF_HEAD_BYTES]):
        return PDF_MARKUP
    is_archive = zipfile.is_zipfile(upload)
    upload.seek(0)
    if is_archive:
        return PDF_ARCHIVE
    return None


def pdf_has_active_content(reader: PdfReader) -> bool:
    """Walk every object reachable from the trailer (including those packed in object
    streams, where a byte search can't see them, and names written with #-escapes) and
    look for scripts, launch and submit actions, embedded files and additional actions.
    Raises PdfTooComplex when the file has more objects than we are willing to walk."""
    stack: list[object] = [reader.trailer]
    seen: set[tuple[int, int]] = set()
    walked = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        walked += 1
        if walked > PDF_MAX_OBJECTS:
            raise PdfTooComplex(PDF_TOO_COMPLEX)
        if isinstance(item, DictionaryObject):  # stream objects are dictionaries too
            for key, value in item.items():
                if key in PDF_ACTIVE_KEYS:
                    return True
                if key == "/S":
                    value = value.get_object() if isinstance(value, IndirectObject) else value
                    if value in PDF_ACTIVE_ACTIONS:
                        return True
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return False


# -- Word, Excel, PowerPoint and OpenDocument zips ---------------------------------------

ZIP_UNSAFE = (
    "This document is put together in a way that is used to attack computers (its parts "
    "point outside it, are links, or overlap), so it can't be uploaded. Open it, save it "
    "again (or save it as PDF) and upload that."
)
ZIP_PROTECTED = (
    "This document is protected with a password. Save an unprotected copy and upload it."
)
ZIP_EXTRA_PARTS = (
    "This document has other files hidden inside it. Save it again from your word "
    "processor (or save it as PDF) and upload that."
)
ZIP_DAMAGED = "This file is damaged or is not a document we can read."

OOXML_SHARED_FOLDERS = ("_rels/", "docProps/", "customXml/", "docMetadata/", "_xmlsignatures/")
OOXML_MAIN_FOLDERS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
ODF_FILES = frozenset(
    {
        "mimetype",
        "content.xml",
        "styles.xml",
        "meta.xml",
        "settings.xml",
        "manifest.rdf",
        "layout-cache",
    }
)
ODF_FOLDERS = re.compile(
    r"^(?:META-INF|Thumbnails|Pictures|Configurations2|ObjectReplacements|Object \d+)/"
)
# Programs and OLE containers (which carry macros and packaged programs) must not ride
# inside a document.
HIDDEN_FILE_MAGIC = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xd0\xcf\x11\xe0", b"#!")
SAFE_FILE_TYPES = frozenset({0, stat.S_IFREG, stat.S_IFDIR})
LOCAL_HEADER_SIZE = 30


def _raw_name_length(member: zipfile.ZipInfo) -> int:
    encoding = "utf-8" if member.flag_bits & 0x800 else "cp437"
    return len(member.orig_filename.encode(encoding, "replace"))


def zip_entry_problem(archive: zipfile.ZipFile) -> str | None:
    """Refuse entries whose names point outside the document (absolute paths, `..`,
    backslashes, drive letters, control characters), entries that are links or devices,
    repeated names, password-protected entries, and entries whose data overlap (the trick
    behind the smallest zip bombs)."""
    members = archive.infolist()
    names: set[str] = set()
    for member in members:
        raw = member.orig_filename
        parts = raw.split("/")
        if (
            "\\" in raw
            or "\0" in raw
            or raw.startswith("/")
            or re.match(r"^[A-Za-z]:", raw)
            or ".." in parts
            or any(ord(character) < 32 for character in raw)
        ):
            return ZIP_UNSAFE
        if stat.S_IFMT(member.external_attr >> 16) not in SAFE_FILE_TYPES:
            return ZIP_UNSAFE
        if member.filename in names:
            return ZIP_UNSAFE
        names.add(member.filename)
        if member.flag_bits & 0x1:
            return ZIP_PROTECTED
    ordered = sorted(members, key=lambda m: m.header_offset)
    for before, after in pairwise(ordered):
        if (
            before.header_offset
            + LOCAL_HEADER_SIZE
            + _raw_name_length(before)
            + before.compress_size
            > after.header_offset
        ):
            return ZIP_UNSAFE
    if ordered:
        last = ordered[-1]
        end = last.header_offset + LOCAL_HEADER_SIZE + _raw_name_length(last)
        if end + last.compress_size > archive.start_dir:
            return ZIP_UNSAFE
    return None


def _expected_part(name: str, key: str) -> bool:
    if key in OOXML_MAIN_FOLDERS:
        return name == "[Content_Types].xml" or name.startswith(
            (OOXML_MAIN_FOLDERS[key], *OOXML_SHARED_FOLDERS)
        )
    return name in ODF_FILES or bool(ODF_FOLDERS.match(name))


def zip_parts_problem(archive: zipfile.ZipFile, key: str) -> str | None:
    """Every part must be one a document of this kind has, no part may be a program or
    an OLE container, and every part must unpack to exactly the size and checksum the
    archive declares (a part that lies about its size is refused as damaged)."""
    for member in archive.infolist():
        if not _expected_part(member.filename, key):
            return ZIP_EXTRA_PARTS
        if member.is_dir():
            continue
        try:
            with archive.open(member) as part:
                first = part.read(8)
                if first.startswith(HIDDEN_FILE_MAGIC):
                    return ZIP_EXTRA_PARTS
                unpacked = len(first)
                while chunk := part.read(CHUNK):
                    unpacked += len(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError):
            return ZIP_DAMAGED
        if unpacked != member.file_size:
            return ZIP_DAMAGED
    return None
