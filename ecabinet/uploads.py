"""Uploads: a multipart body streamed into the data dir while it is hashed, and the content-addressed store.

Nothing is buffered whole in memory, and nothing is kept unless the whole body arrived within the
limit: each `file` part goes to a temporary file as it arrives, hashed on the way; the caller moves
the files into the store (`FileStore.keep`) once it has checked them, or `discard`s them.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from python_multipart.multipart import MultipartParser, parse_options_header

from ecabinet.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType

FILE_FIELD = "file"
MAX_FILES = 20
MAX_FIELD_BYTES = 4096
# A PDF starts with this marker, which readers accept anywhere in the first kilobyte.
PDF_MAGIC = b"%PDF-"
PDF_MAGIC_WINDOW = 1024


@dataclass
class UploadedFile:
    """One received file part: where it waits, its name, size and sha256."""

    filename: str
    path: Path
    size: int = 0
    sha256: str = ""
    head: bytes = b""

    @property
    def title(self) -> str:
        """A document title from the file's name, as people named it."""
        stem = self.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
        if stem.lower().endswith(".pdf"):
            stem = stem[:-4]
        return stem.replace("_", " ").strip()[:300] or "Tài liệu"

    @property
    def is_pdf(self) -> bool:
        return PDF_MAGIC in self.head[:PDF_MAGIC_WINDOW]


@dataclass
class UploadForm:
    """A parsed upload: its files (in order) and its other fields."""

    files: list[UploadedFile] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)

    def discard(self) -> None:
        for upload in self.files:
            upload.path.unlink(missing_ok=True)


class FileStore:
    """Files by sha256 under the data dir, and the page images made from them."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "files"
        self.tmp = data_dir / "tmp"
        self.pages_root = data_dir / "pages"
        self.downloads = data_dir / "tmp" / "downloads"

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.pdf"

    def page_dir(self, sha256: str) -> Path:
        return self.pages_root / sha256[:2] / sha256

    def keep(self, upload: UploadedFile) -> Path:
        """Move a received file to its content address (the same content is stored once)."""
        final = self.path_for(upload.sha256)
        if final.exists():
            upload.path.unlink(missing_ok=True)
        else:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(upload.path, final)
        upload.path = final
        return final

    def put(self, data: bytes) -> str:
        """Store bytes the server made itself (an issued record, its signed form) at their content address."""
        sha256 = hashlib.sha256(data).hexdigest()
        final = self.path_for(sha256)
        if not final.exists():
            handle, path = self.temp_file()
            with handle:
                handle.write(data)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, final)
        return sha256

    def temp_file(self) -> tuple[IO[bytes], Path]:
        self.tmp.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.tmp, suffix=".upload")
        return os.fdopen(fd, "wb"), Path(name)


def _boundary(content_type: str) -> bytes:
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data" or not options.get(b"boundary"):
        raise UnsupportedMediaType(f"Send the files as multipart/form-data in the field '{FILE_FIELD}'.")
    return options[b"boundary"]


@dataclass
class _Part:
    """The part being received: a file going to disk, or a short field kept in memory."""

    name: str = ""
    upload: UploadedFile | None = None
    handle: IO[bytes] | None = None
    digest: Any = None
    value: bytearray | None = None


async def receive(stream: AsyncIterator[bytes], content_type: str, store: FileStore, limit: int) -> UploadForm:
    """Parse a multipart body from `stream` into temporary files; on any error nothing is left behind."""
    boundary = _boundary(content_type)
    form = UploadForm()
    part = _Part()
    headers: dict[bytes, bytes] = {}
    header_name = bytearray()
    header_value = bytearray()
    problem: list[Exception] = []

    def on_part_begin() -> None:
        nonlocal part
        headers.clear()
        part = _Part()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_name.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        headers[bytes(header_name).lower()] = bytes(header_value)
        header_name.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        _, options = parse_options_header(headers.get(b"content-disposition", b""))
        part.name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            part.value = bytearray()
            return
        if part.name != FILE_FIELD:
            problem.append(BadRequest(f"Files go in the field '{FILE_FIELD}', not '{part.name}'."))
            return
        if len(form.files) >= MAX_FILES:
            problem.append(BadRequest(f"At most {MAX_FILES} files can be uploaded at once."))
            return
        part.handle, path = store.temp_file()
        filename = unicodedata.normalize("NFC", options[b"filename"].decode("utf-8", "replace"))
        part.upload = UploadedFile(filename=filename, path=path)
        part.digest = hashlib.sha256()
        form.files.append(part.upload)

    def on_part_data(data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if part.upload is not None and part.handle is not None:
            part.handle.write(chunk)
            part.digest.update(chunk)
            part.upload.size += len(chunk)
            if len(part.upload.head) < PDF_MAGIC_WINDOW:
                part.upload.head += chunk[: PDF_MAGIC_WINDOW - len(part.upload.head)]
        elif part.value is not None:
            part.value.extend(chunk)
            if len(part.value) > MAX_FIELD_BYTES:
                problem.append(BadRequest(f"The field '{part.name}' is too long."))

    def on_part_end() -> None:
        if part.upload is not None and part.handle is not None:
            part.handle.close()
            part.handle = None
            part.upload.sha256 = part.digest.hexdigest()
        elif part.value is not None:
            form.fields[part.name] = bytes(part.value).decode("utf-8", "replace").strip()

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    received = 0
    try:
        async for chunk in stream:
            received += len(chunk)
            if received > limit:
                raise PayloadTooLarge(f"The upload is larger than {limit} bytes.", limit=limit)
            parser.write(chunk)
            if problem:
                raise problem[0]
        parser.finalize()
        if not form.files:
            raise BadRequest(f"No file was sent; put each PDF in a part named '{FILE_FIELD}'.")
        if any(not upload.sha256 for upload in form.files):
            raise BadRequest("The upload was cut off before it ended; send it again.")
    except Exception as exc:
        if part.handle is not None:
            part.handle.close()
        form.discard()
        if isinstance(exc, BadRequest | PayloadTooLarge):
            raise
        if type(exc).__name__ == "ClientDisconnect":
            raise BadRequest("The upload was cut off before it ended; send it again.") from exc
        raise BadRequest("The upload is not well-formed multipart/form-data.") from exc
    return form
