"""Evidence files attached to progress updates: PDF, images and office documents, 10 MB at most.

The type is read from the file's first bytes (and, for office documents, from the zip's
contents), never trusted from the browser, and must agree with the file's extension. A refusal
is an EvidenceFileError whose `code` says which rule (the API's stable error codes).
"""

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from commitments.errors import CommitmentError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_UPDATE = 5

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# extension → content type, for each family the sniffing below recognizes.
IMAGES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}
OOXML = {
    "docx": ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}
ODF = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
LEGACY_OFFICE = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
ALLOWED_EXTENSIONS = sorted({"pdf", *IMAGES, *OOXML, *ODF, *LEGACY_OFFICE})
ACCEPT_ATTRIBUTE = ",".join(f".{extension}" for extension in ALLOWED_EXTENSIONS)
# The types read from a file's content, the only ones stored.
SERVED_TYPES = sorted(
    {
        "application/pdf",
        *IMAGES.values(),
        *(content_type for _folder, content_type in OOXML.values()),
        *ODF.values(),
        *LEGACY_OFFICE.values(),
    }
)
OCTET_STREAM = "application/octet-stream"


def served_content_type(stored: str) -> str:
    """The type a download announces: the stored one if it is one of SERVED_TYPES; a file
    stored under another (written before those rules) is sent as bytes of no given type."""
    return stored if stored in SERVED_TYPES else OCTET_STREAM


def max_bytes() -> int:
    return getattr(settings, "EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)


class EvidenceFileError(CommitmentError):
    """A file, or the set of files, of a progress update was refused; `code` is one of
    `too_many_files`, `file_too_large`, `file_type`."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message, field="files")
        self.code = code


# File systems allow 255 bytes a path part: the stored file's name is kept well under that.
STORED_NAME_BYTES = 120


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int

    @property
    def stored_name(self) -> str:
        """The name to store the file under: the shown name, shortened to STORED_NAME_BYTES
        of UTF-8 with its extension kept."""
        if len(self.name.encode()) <= STORED_NAME_BYTES:
            return self.name
        stem, dot, extension = _split_extension(self.name)
        room = STORED_NAME_BYTES - len((dot + extension).encode())
        return stem.encode()[:room].decode("utf-8", "ignore") + dot + extension


def _split_extension(name: str) -> tuple[str, str, str]:
    stem, dot, extension = name.rpartition(".")
    return (stem, dot, extension) if dot and len(extension) <= 10 else (name, "", "")


def _sniff_image(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _sniff_zip(upload, extension: str) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if extension in OOXML:
                folder, content_type = OOXML[extension]
                if "[Content_Types].xml" in names and any(n.startswith(folder) for n in names):
                    return content_type
            if extension in ODF and "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                return ODF[extension] if mimetype == ODF[extension] else None
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    return None


def check_evidence_files(uploads) -> list[CheckedFile]:
    """The checked type of each file of one update, or raises EvidenceFileError."""
    uploads = list(uploads)
    if len(uploads) > MAX_FILES_PER_UPDATE:
        raise EvidenceFileError(
            _("Attach %(count)d files at most to one update.") % {"count": MAX_FILES_PER_UPDATE},
            code="too_many_files",
        )
    return [check_evidence_file(upload) for upload in uploads]


def check_evidence_file(upload) -> CheckedFile:
    """Returns the file's checked type, or raises EvidenceFileError."""
    name = upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if len(name) > 200:
        # Shortened to fit its column, keeping the extension its type must agree with.
        stem, dot, extension = _split_extension(name)
        name = stem[: 200 - len(dot + extension)] + dot + extension
    limit = max_bytes()
    if upload.size > limit:
        raise EvidenceFileError(
            _("%(name)s is %(size)s; a file can be %(limit)s at most.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = None
    if extension == "pdf" and head.startswith(b"%PDF-"):
        content_type = "application/pdf"
    elif extension in IMAGES:
        sniffed = _sniff_image(head)
        content_type = sniffed if sniffed == IMAGES[extension] else None
    elif extension in OOXML or extension in ODF:
        content_type = _sniff_zip(upload, extension) if head.startswith(b"PK\x03\x04") else None
    elif extension in LEGACY_OFFICE and head.startswith(OLE_MAGIC):
        content_type = LEGACY_OFFICE[extension]
    upload.seek(0)
    if content_type is None:
        raise EvidenceFileError(
            _(
                "%(name)s is not an accepted file: attach PDF files, images (PNG, JPEG, GIF, "
                "WebP) or office documents (Word, Excel, PowerPoint, OpenDocument)."
            )
            % {"name": name},
            code="file_type",
        )
    return CheckedFile(name=name, content_type=content_type, size=upload.size)
