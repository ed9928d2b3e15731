"""Check an uploaded file before anything is stored: its type is judged by its content,
not its name (filetypes.py), against an allow-list of documents, images, audio and video.

Refused, with a message that says why and what to do: empty files, files over the size
limit for their type, names that do not match the content, programs and scripts, web
pages and SVG images, documents that carry macros or scripts, archive bombs, pictures
that are incomplete, PDFs with anything after their end, Word and OpenDocument files whose
parts point outside them or don't belong, and anything not on the list. The container
checks (containers.py) never read process-wide switches. Images are saved again, which
drops their location and camera details and anything else riding on them. File names are
kept in Unicode NFC. When clamd is configured (config/virus_scan.py), every file must also pass a
virus scan. Nothing here touches the database or storage: the caller stores only what
passes.
"""

import contextlib
import hashlib
import io
import logging
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO
from xml.etree import ElementTree

from django.conf import settings
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from config import virus_scan
from portfolio.evidence import containers
from portfolio.evidence.filetypes import (
    EXTENSIONS,
    MARKUP,
    ODF_MIMETYPES,
    OOXML_MAIN_PARTS,
    TYPES,
    UploadRefused,
    sniff,
    text_encoding,
)

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024
HEAD_BYTES = 8192
# Limits for documents that are zip containers (Word, OpenDocument and so on).
ZIP_MAX_MEMBERS = 2000
ZIP_MAX_UNCOMPRESSED = 250 * 1024 * 1024
ZIP_MAX_RATIO = 100
MAX_IMAGE_PIXELS = 50_000_000
MAX_EXTRACTED_TEXT = 500_000


class VirusFound(UploadRefused):
    """The virus scanner recognised the file; `signature` is what it found, for the log."""

    def __init__(self, message: str, *, signature: str):
        super().__init__(message)
        self.signature = signature


PDF_ACTIVE = re.compile(
    rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|SubmitForm|ImportData|GoToR)\b"
)
# Catalogue entries that make a PDF act on opening or carry other files.
PDF_ACTIVE_KEYS = ("/JavaScript", "/EmbeddedFiles")


@dataclass
class CheckedFile:
    """A file that passed: what to store and what to record about it."""

    type_key: str
    original_name: str
    content_type: str
    category: str
    size: int
    sha256: str
    extracted_text: str
    # Replacement bytes (re-encoded images); None means store the upload as it is.
    content: bytes | None = None


def size_limit(category: str) -> int:
    """Bytes allowed for a category; configured in settings.UPLOAD_MAX_MB."""
    return int(settings.UPLOAD_MAX_MB[category] * 1024 * 1024)


def _human_size(size: int) -> str:
    megabytes = size / (1024 * 1024)
    if megabytes >= 10:
        return f"{megabytes:.0f} MB"
    if megabytes >= 1:
        return f"{megabytes:.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, size // 1024)} KB"


def _read_head(upload: IO[bytes]) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head


def _sha256(upload: IO[bytes]) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(CHUNK), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _decode_text_file(upload: IO[bytes]) -> tuple[str, bytes | None]:
    """The whole text of a plain-text upload, and the bytes to store: UTF-8 without a byte
    order mark (None when the upload is that already)."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    encoding = text_encoding(data[:HEAD_BYTES])
    if encoding is None:
        raise UploadRefused("This text file contains binary data.")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        if encoding != "utf-8":
            raise UploadRefused(
                "This text file mixes different kinds of characters and can't be read. "
                "Save it again as UTF-8 text and upload that."
            ) from None
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            raise UploadRefused("This text file contains binary data.") from None
    if "\x00" in text:
        raise UploadRefused("This text file contains binary data.")
    if MARKUP.search(text.encode()):
        raise UploadRefused("Web pages, SVG images and scripts can't be uploaded.")
    return text, (None if encoding == "utf-8" else text.encode("utf-8"))


def _check_zip_document(upload: IO[bytes]) -> tuple[str, str]:
    """A zip container must be a Word/Excel/PowerPoint or OpenDocument file without
    macros, and small when unpacked. Returns (type key, extracted text)."""
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UploadRefused("This file is damaged or is not a document we can read.") from exc
    with archive:
        members = archive.infolist()
        if len(members) > ZIP_MAX_MEMBERS:
            raise UploadRefused("This document has too many parts inside it to be safe.")
        total = sum(member.file_size for member in members)
        compressed = sum(member.compress_size for member in members)
        if total > ZIP_MAX_UNCOMPRESSED or (compressed and total / compressed > ZIP_MAX_RATIO):
            raise UploadRefused(
                "This document unpacks to far more than its size, which is how harmful "
                "files hide. Save it again from your word processor and upload that."
            )
        _refuse_unsafe_zip_entries(archive)
        names = [member.filename for member in members]
        lowered = [name.lower() for name in names]
        if any(name.endswith((".zip", ".jar", ".exe", ".dll", ".js", ".vbs")) for name in lowered):
            raise UploadRefused("This document has other files hidden inside it.")
        if any("vbaproject" in name or name.startswith(("basic/", "scripts/")) for name in lowered):
            raise UploadRefused(
                "This document contains macros. Save it without macros (as .docx or PDF) "
                "and upload that."
            )
        key = _zip_document_kind(archive, names)
        _refuse_unexpected_zip_parts(archive, key)
        return key, _zip_text(archive, key)


def _zip_document_kind(archive: zipfile.ZipFile, names: list[str]) -> str:
    if "mimetype" in names:
        mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
        if mimetype in ODF_MIMETYPES:
            return ODF_MIMETYPES[mimetype]
        raise UploadRefused("Only OpenDocument text and spreadsheets can be uploaded.")
    if "[Content_Types].xml" not in names:
        raise UploadRefused(
            "Zip files and other archives can't be uploaded. Upload the files inside one by one."
        )
    content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    if "macroEnabled" in content_types or "vbaProject" in content_types:
        raise UploadRefused(
            "This document contains macros. Save it without macros (as .docx or PDF) and "
            "upload that."
        )
    for key, part in OOXML_MAIN_PARTS.items():
        if any(name == part or (part.endswith("/") and name.startswith(part)) for name in names):
            return key
    raise UploadRefused("This file is damaged or is not a document we can read.")


def _xml_text(data: bytes) -> str:
    try:
        root = ElementTree.fromstring(data)  # noqa: S314 - stdlib parser refuses entities
    except ElementTree.ParseError:
        return ""
    paragraphs: list[str] = []
    current: list[str] = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in ("p", "h", "tr") and current:
            paragraphs.append("".join(current))
            current = []
        if element.text and tag in ("t", "p", "span", "h", "s", "v"):
            current.append(element.text)
        if element.tail and tag in ("span", "s", "tab"):
            current.append(element.tail)
    if current:
        paragraphs.append("".join(current))
    return "\n".join(p for p in paragraphs if p.strip())


def _zip_text(archive: zipfile.ZipFile, key: str) -> str:
    if key in ("odt", "ods"):
        parts = ["content.xml"]
    elif key == "docx":
        parts = ["word/document.xml"]
    elif key == "xlsx":
        parts = ["xl/sharedStrings.xml"]
    else:
        parts = sorted(n for n in archive.namelist() if re.match(r"ppt/slides/slide\d+\.xml$", n))
    texts = []
    for part in parts:
        if part in archive.namelist():
            texts.append(_xml_text(archive.read(part)))
    return "\n".join(texts)[:MAX_EXTRACTED_TEXT]


def _check_pdf(upload: IO[bytes]) -> str:
    upload.seek(0)
    previous = b""
    for chunk in iter(lambda: upload.read(CHUNK), b""):
        if PDF_ACTIVE.search(previous[-64:] + chunk):
            raise UploadRefused(
                "This PDF contains scripts, attachments or actions. Print it to a new PDF "
                "(or save it as PDF again) and upload that."
            )
        previous = chunk
    upload.seek(0)
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import DictionaryObject

    try:
        reader = PdfReader(upload)
        if reader.is_encrypted:
            raise UploadRefused(
                "This PDF is protected with a password. Save an unprotected copy and upload it."
            )
        catalogue = reader.trailer["/Root"]
        if not isinstance(catalogue, DictionaryObject):
            raise UploadRefused("This PDF is damaged and can't be read.")
        names = catalogue.get("/Names")
        names = names.get_object() if names is not None else {}
        open_action = catalogue.get("/OpenAction")
        open_action = open_action.get_object() if open_action is not None else None
        if (
            any(key in names for key in PDF_ACTIVE_KEYS)
            or "/AA" in catalogue
            or (isinstance(open_action, DictionaryObject) and open_action.get("/S") != "/GoTo")
        ):
            raise UploadRefused(
                "This PDF contains scripts, attachments or actions. Print it to a new PDF "
                "(or save it as PDF again) and upload that."
            )
        _refuse_active_pdf_objects(reader)
        pages = []
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            if sum(len(p) for p in pages) > MAX_EXTRACTED_TEXT:
                break
    except UploadRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UploadRefused("This PDF is damaged and can't be read.") from exc
    finally:
        upload.seek(0)
    return "\f".join(pages)[:MAX_EXTRACTED_TEXT]


def _reencode_image(upload: IO[bytes], key: str) -> bytes:
    """Decode and save again: keeps the picture, drops EXIF (location, camera, time) and
    any other embedded data. Rotates to the orientation the camera recorded first."""
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:
                if probe.width * probe.height > MAX_IMAGE_PIXELS:
                    raise UploadRefused("This picture is too large (too many pixels).")
                probe.verify()
            upload.seek(0)
            with Image.open(upload) as opened:
                opened.load()
                image = ImageOps.exif_transpose(opened)
                image = _plain_picture(image)
                output = io.BytesIO()
                if key == "jpeg":
                    if image.mode not in ("RGB", "L"):
                        image = image.convert("RGB")
                    image.save(output, "JPEG", quality=88, optimize=True)
                elif key == "png":
                    image.save(output, "PNG", optimize=True)
                else:
                    image.save(output, "WEBP", quality=88)
    except UploadRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused("This picture is too large or damaged and can't be used.") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise UploadRefused("This picture is damaged and can't be used.") from exc
    finally:
        upload.seek(0)
    return output.getvalue()


# -- names, containers and the virus scan ----------------------------------------------

# Characters that change how a name looks without being seen: a right-to-left override
# makes "photo\u202egpj.exe" show as "photoexe.jpg". Control characters too.
INVISIBLE_IN_NAMES = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\x00-\x1f\x7f]")
PDF_ACTIVE_MESSAGE = (
    "This PDF contains scripts, attachments or actions. Print it to a new PDF (or save it "
    "as PDF again) and upload that."
)


def clean_name(name: str) -> str:
    """The name to show and to download as: the last part of the path, in Unicode NFC
    (Macs send names decomposed, so "café" would otherwise be stored two ways), without
    direction overrides or control characters, at most 255 characters."""
    name = INVISIBLE_IN_NAMES.sub("", unicodedata.normalize("NFC", name))
    return PurePath(name.replace("\\", "/")).name.strip()[:255] or "file"


def _refuse_unsafe_zip_entries(archive: zipfile.ZipFile) -> None:
    problem = containers.zip_entry_problem(archive)
    if problem:
        raise UploadRefused(problem)


def _refuse_unexpected_zip_parts(archive: zipfile.ZipFile, key: str) -> None:
    problem = containers.zip_parts_problem(archive, key)
    if problem:
        raise UploadRefused(problem)


def _refuse_active_pdf_objects(reader) -> None:
    try:
        active = containers.pdf_has_active_content(reader)
    except containers.PdfTooComplex as exc:
        raise UploadRefused(str(exc)) from exc
    if active:
        raise UploadRefused(PDF_ACTIVE_MESSAGE)


def _check_container(upload: IO[bytes], key: str, head: bytes) -> None:
    """Pictures must be complete and PDFs must end where they say they end. These checks
    never depend on process-wide switches such as Pillow's LOAD_TRUNCATED_IMAGES."""
    problem = None
    if TYPES[key].category == "image":
        upload.seek(0)
        problem = containers.picture_problem(upload.read(), key)
        upload.seek(0)
    elif key == "pdf":
        problem = containers.pdf_container_problem(upload, head)
    if problem:
        raise UploadRefused(problem)


def _scan_for_viruses(upload: IO[bytes], display_name: str) -> None:
    """Refuse the file unless clamd (when configured) gives it a clean verdict."""
    if not virus_scan.is_enabled():
        return
    try:
        verdict = virus_scan.scan(upload)
    except virus_scan.TooLargeToScan as exc:
        logger.error(
            "clamd would not scan a file of %s bytes (%s). Raise its StreamMaxLength to the "
            "largest upload limit.",
            _size_of(upload),
            exc,
        )
        raise UploadRefused(
            f"We couldn't check {display_name} for viruses because it is too large for our "
            "checker, so it wasn't uploaded. Upload a smaller copy, or tell your tutor."
        ) from exc
    except virus_scan.ScannerUnavailable as exc:
        logger.error("The virus scanner gave no verdict: %s", exc)
        raise UploadRefused(
            "We can't check files for viruses just now, so nothing was uploaded. Please try "
            "again in a few minutes."
        ) from exc
    if not verdict.clean:
        raise VirusFound(
            f"{display_name} failed our virus check, so it wasn't uploaded. Your device may "
            "have a virus: run a virus check on it, then upload a clean copy.",
            signature=verdict.signature,
        )


def _plain_picture(image: Image.Image) -> Image.Image:
    """The pixels alone. Colours are converted to sRGB when the picture carries a colour
    profile, and nothing else riding on the picture (comments, profiles, XMP) is left in
    `info`, where Pillow would copy some of it into the new file."""
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "RGBA"):
        # An unreadable profile is simply dropped with the rest.
        with contextlib.suppress(ImageCms.PyCMSError, OSError, ValueError, TypeError):
            converted = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                ImageCms.createProfile("sRGB"),
                outputMode=image.mode,
            )
            if converted is not None:
                image = converted
    image.info = {}
    return image


def _size_of(upload: IO[bytes]) -> int:
    upload.seek(0, 2)
    size = upload.tell()
    upload.seek(0)
    return size


def check_upload(upload: IO[bytes], *, name: str, size: int) -> CheckedFile:
    """Judge one uploaded file. Raises UploadRefused with a plain message, or returns
    what to store. Reads the file; never writes anything."""
    display_name = clean_name(name)
    if size <= 0:
        raise UploadRefused(f"{display_name} is empty.")
    extension = PurePath(display_name).suffix.lower()
    claimed = EXTENSIONS.get(extension)
    head = _read_head(upload)
    key = sniff(head)
    text = ""
    if key == "zip":
        key, text = _check_zip_document(upload)
    file_type = TYPES[key]
    limit = size_limit(file_type.category)
    if size > limit:
        raise UploadRefused(
            f"{display_name} is {_human_size(size)}. {file_type.category.title()} files can "
            f"be up to {_human_size(limit)}."
        )
    if claimed is None:
        ending = f"ending in {extension}" if extension else "without an ending like .pdf"
        raise UploadRefused(
            f"{display_name}: files {ending} can't be uploaded. If it is a "
            f"{file_type.label}, rename it to end in {file_type.extensions[0]}."
        )
    if claimed != key:
        raise UploadRefused(
            f"{display_name} has a name that says {TYPES[claimed].label}, but the file is a "
            f"{file_type.label}. Check you chose the right file."
        )
    _check_container(upload, key, head)
    if key == "pdf":
        text = _check_pdf(upload)
    content = None
    if key == "txt":
        # Stored as UTF-8, whatever the encoding it came in.
        text, content = _decode_text_file(upload)
        text = text[:MAX_EXTRACTED_TEXT]
    # Our own checks first, so their plain reasons win; the scan before any picture is
    # decoded.
    _scan_for_viruses(upload, display_name)
    if file_type.category == "image":
        content = _reencode_image(upload, key)
    if content is not None:
        digest = hashlib.sha256(content).hexdigest()
        size = len(content)
    else:
        digest = _sha256(upload)
    return CheckedFile(
        type_key=key,
        original_name=display_name,
        content_type=file_type.content_type,
        category=file_type.category,
        size=size,
        sha256=digest,
        extracted_text=text,
        content=content,
    )
