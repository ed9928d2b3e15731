"""What an upload is, judged by its content and never by its name: the allow-list of
documents, images, audio and video, and the signatures that tell them apart (and from
programs, web pages and formats that pass for plain text). Nothing here reads the file
beyond the first bytes it is given."""

import re
from dataclasses import dataclass


class UploadRefused(Exception):
    """The file cannot be accepted; the message is for the person who uploaded it."""


@dataclass(frozen=True)
class FileType:
    label: str
    category: str  # EvidenceFile.Category value
    content_type: str
    extensions: tuple[str, ...]


TYPES: dict[str, FileType] = {
    "pdf": FileType("PDF document", "document", "application/pdf", (".pdf",)),
    "docx": FileType(
        "Word document",
        "document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
    ),
    "xlsx": FileType(
        "Excel spreadsheet",
        "document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (".xlsx",),
    ),
    "pptx": FileType(
        "PowerPoint presentation",
        "document",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (".pptx",),
    ),
    "odt": FileType(
        "OpenDocument text", "document", "application/vnd.oasis.opendocument.text", (".odt",)
    ),
    "ods": FileType(
        "OpenDocument spreadsheet",
        "document",
        "application/vnd.oasis.opendocument.spreadsheet",
        (".ods",),
    ),
    "txt": FileType("Plain text", "document", "text/plain", (".txt",)),
    "jpeg": FileType("JPEG image", "image", "image/jpeg", (".jpg", ".jpeg")),
    "png": FileType("PNG image", "image", "image/png", (".png",)),
    "webp": FileType("WebP image", "image", "image/webp", (".webp",)),
    "mp3": FileType("MP3 audio", "audio", "audio/mpeg", (".mp3",)),
    "m4a": FileType("M4A audio", "audio", "audio/mp4", (".m4a",)),
    "wav": FileType("WAV audio", "audio", "audio/wav", (".wav",)),
    "ogg": FileType("Ogg audio", "audio", "audio/ogg", (".ogg", ".oga", ".opus")),
    "mp4": FileType("MP4 video", "video", "video/mp4", (".mp4", ".m4v")),
    "mov": FileType("QuickTime video", "video", "video/quicktime", (".mov",)),
    "webm": FileType("WebM video", "video", "video/webm", (".webm",)),
    "3gp": FileType("3GP video", "video", "video/3gpp", (".3gp",)),
}


EXTENSIONS = {ext: key for key, kind in TYPES.items() for ext in kind.extensions}


ACCEPT_ATTRIBUTE = ",".join(sorted(EXTENSIONS))


OOXML_MAIN_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/"}


ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}


MP4_BRANDS = {
    b"M4A ": "m4a",
    b"M4B ": "m4a",
    b"qt  ": "mov",
    b"3gp4": "3gp",
    b"3gp5": "3gp",
    b"3gp6": "3gp",
    b"3g2a": "3gp",
}


HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heif", b"mif1", b"msf1", b"avif"}


EXECUTABLE_MAGIC = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)


MARKUP = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|svg|iframe|object|embed|meta|style)\b"
    rb"|<\?xml|javascript:",
    re.IGNORECASE,
)


def sniff(head: bytes) -> str:
    """The allow-list key for content starting with `head`, or raise UploadRefused."""
    if head.startswith(EXECUTABLE_MAGIC):
        raise UploadRefused("Programs and scripts can't be uploaded.")
    _refuse_text_lookalikes(head)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise UploadRefused(
            "Older Office files (.doc, .xls, .ppt) can carry hidden macros, so we don't "
            "accept them. Save it as a .docx or PDF and upload that."
        )
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        if b"webm" in head[:64]:
            return "webm"
        raise UploadRefused("Only WebM, MP4 and MOV videos can be uploaded.")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in HEIF_BRANDS:
            raise UploadRefused(
                "HEIC and AVIF photos can't be used yet. On an iPhone, choose Settings, "
                "Camera, Formats, Most Compatible, or share the photo as a JPEG."
            )
        return MP4_BRANDS.get(brand, "mp4")
    if head.startswith(TEXT_BOMS) and text_encoding(head):
        # Before MP3: a UTF-16 byte order mark looks like an MP3 frame header.
        return _text_key(head)
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if text_encoding(head):
        return _text_key(head)
    raise UploadRefused(
        "This type of file can't be uploaded. You can upload documents (PDF, Word, "
        "OpenDocument, plain text), photos (JPEG, PNG, WebP), audio (MP3, M4A, WAV, Ogg) "
        "and video (MP4, MOV, WebM, 3GP)."
    )


# Byte order marks of the text encodings we accept, longest first.
TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


# Besides these, a control character in more than 1 in 100 characters means "not text".
TEXT_CONTROLS_ALLOWED = set("\t\n\r\f\v\x1a")


def text_encoding(head: bytes) -> str | None:
    """The encoding of a text file that starts with `head`, or None if it is not text.

    A byte order mark says UTF-8 or UTF-16 (what Windows Notepad saves as "Unicode").
    Without one, every other byte being zero means UTF-16 as Windows writes it; otherwise
    UTF-8, or else Windows-1252 (older Windows programs). Text has no zero bytes in a
    single-byte encoding and few control characters."""
    if head.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"  # the mark says which byte order
    elif len(head) >= 4 and head[1::2].count(0) > 0.9 * len(head[1::2]) and 0 not in head[::2]:
        encoding = "utf-16-le"
    elif len(head) >= 4 and head[::2].count(0) > 0.9 * len(head[::2]) and 0 not in head[1::2]:
        encoding = "utf-16-be"
    elif b"\x00" in head:
        return None
    else:
        encoding = "utf-8"
    sample = head[: len(head) - len(head) % 2] if encoding.startswith("utf-16") else head
    try:
        text = sample.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding == "utf-8" and exc.start >= len(sample) - 3:
            # A multi-byte character cut at the end of the sample is still text.
            text = sample[: exc.start].decode(encoding)
        elif encoding == "utf-8":
            try:
                text = sample.decode("cp1252")
            except UnicodeDecodeError:
                return None
            encoding = "cp1252"
        else:
            return None
    controls = sum(1 for char in text if ord(char) < 32 and char not in TEXT_CONTROLS_ALLOWED)
    if "\x00" in text or controls > len(text) / 100:
        return None
    return encoding


def _text_key(head: bytes) -> str:
    encoding = text_encoding(head) or "utf-8"
    if MARKUP.search(head.decode(encoding, "ignore").encode()):
        raise UploadRefused("Web pages, SVG images and scripts can't be uploaded.")
    return "txt"


# Formats that can pass for plain text but are not: a GIF whose header doubles as a
# script, rich text (which can carry programs inside) and PostScript (itself a program).
TEXT_LOOKALIKES = (
    (
        (b"GIF87a", b"GIF89a"),
        "GIF images can't be uploaded. Save it as a PNG or JPEG and upload that.",
    ),
    (
        (b"{\\rtf",),
        "Rich text (.rtf) files can't be uploaded. Save it as a .docx or PDF and upload that.",
    ),
    ((b"%!PS",), "PostScript files can't be uploaded. Save it as a PDF and upload that."),
)


def _refuse_text_lookalikes(head: bytes) -> None:
    for signatures, message in TEXT_LOOKALIKES:
        if head.startswith(signatures):
            raise UploadRefused(message)
