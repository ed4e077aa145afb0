"""Uploaded files: checked by extension and content, stored outside the web root, served as downloads."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import filetype
from flask import current_app, send_file
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from coordination.errors import NotFound, ValidationError

# Extension → MIME types the content may have. Text formats have no signature: they must
# decode as UTF-8 and hold no NUL byte.
ALLOWED = {
    "pdf": {"application/pdf"},
    "png": {"image/png"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    "pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    "odt": {"application/vnd.oasis.opendocument.text"},
    "ods": {"application/vnd.oasis.opendocument.spreadsheet"},
    "txt": {"text/plain"},
    "csv": {"text/csv"},
}
TEXT_TYPES = {"txt": "text/plain", "csv": "text/csv"}


@dataclass
class StoredFile:
    path: str  # generated name under the upload folder
    name: str  # the user's file name, for the download
    mime: str
    size: int


def _folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _safe_name(name: str) -> str:
    cleaned = "".join(c for c in name if c.isprintable() and c not in '/\\:*?"<>|').strip(" .")
    return cleaned[-200:] or "file"


def store(upload: FileStorage, field: str = "evidence_file") -> StoredFile:
    """Check and save an upload; raise ValidationError naming ``field`` if it is refused."""
    name = _safe_name(upload.filename or "")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED:
        raise ValidationError({field: _l("This type of file is not accepted. Use PDF, Word, Excel, OpenDocument, PNG, JPEG, CSV or text.")})
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({field: _l("The file is larger than %(mb)d MB.", mb=limit // (1024 * 1024))})
    if not data:
        raise ValidationError({field: _l("The file is empty.")})
    if extension in TEXT_TYPES:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError({field: _l("The file's content does not match its name.")}) from None
        if b"\x00" in data:
            raise ValidationError({field: _l("The file's content does not match its name.")})
        mime = TEXT_TYPES[extension]
    else:
        kind = filetype.guess(data)
        if kind is None or kind.mime not in ALLOWED[extension]:
            raise ValidationError({field: _l("The file's content does not match its name.")})
        mime = kind.mime
    stored = f"{secrets.token_hex(16)}.{extension}"
    (_folder() / stored).write_bytes(data)
    return StoredFile(stored, name, mime, len(data))


def send(stored: str, name: str, mime: str):
    """Serve a stored file as an attachment (never rendered inline by the browser)."""
    path = _folder() / stored
    if not stored or "/" in stored or not path.is_file():
        raise NotFound()
    response = send_file(path, mimetype=mime, as_attachment=True, download_name=name, max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
