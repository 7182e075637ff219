"""Upload bodies as streams of bytes: raw CSV / JSON Lines, or one multipart file part.

Nothing here holds more than one network chunk: multipart is parsed incrementally and
only the `file` part's bytes are passed on; the rest of the body is ignored.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import PurePath

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import UploadFile
from starlette.requests import Request

from backend.intake.errors import InvalidFile, UnsupportedFormat

MEDIA_TYPES = {"text/csv": "csv", "application/x-ndjson": "jsonl", "application/jsonl": "jsonl"}
EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
FILE_FIELD = "file"
_FILE_SCHEMA = {"type": "string", "description": "CSV with a header line, or JSON Lines"}


def upload_body(what: str) -> dict:
    """The OpenAPI request body of a route taking a CSV or JSON Lines file."""
    return {
        "requestBody": {
            "required": True,
            "description": f"{what} as the raw body, or as the `file` part of a form.",
            "content": {
                "text/csv": {"schema": _FILE_SCHEMA},
                "application/x-ndjson": {"schema": _FILE_SCHEMA},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {FILE_FIELD: {"type": "string", "format": "binary"}},
                        "required": [FILE_FIELD],
                    }
                },
            },
        }
    }


READ_BYTES = 64 * 1024
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


def clean_filename(name: str | None) -> str | None:
    """The file's base name without control characters, at most 255 characters."""
    if not name:
        return None
    base = PurePath(name.replace("\\", "/")).name
    return _UNSAFE.sub("", base)[:255] or None


def format_of(*, filename: str | None, media_type: str | None) -> str:
    """csv or jsonl, from the file name's extension, else the media type."""
    suffix = PurePath(filename).suffix.lower() if filename else ""
    found = EXTENSIONS.get(suffix) or MEDIA_TYPES.get((media_type or "").lower())
    if found is None:
        raise UnsupportedFormat(
            "Send a .csv (text/csv) or .jsonl (application/x-ndjson) file",
            filename=filename,
            media_type=media_type,
        )
    return found


@dataclass
class Upload:
    fmt: str
    filename: str | None
    chunks: AsyncIterator[bytes]


class Fingerprint:
    """Passes chunks through, counting bytes and hashing them."""

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self.chunks = chunks
        self.size = 0
        self._sha = hashlib.sha256()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.chunks:
            self.size += len(chunk)
            self._sha.update(chunk)
            yield chunk

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


async def from_request(request: Request, filename: str | None) -> Upload:
    """The uploaded file of a request: its format, name and a stream of its bytes."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type in MEDIA_TYPES:
        name = clean_filename(filename)
        return Upload(MEDIA_TYPES[media_type], name, request.stream())
    if media_type == "multipart/form-data":
        part = MultipartFile(request)
        await part.open()
        return Upload(
            format_of(filename=part.filename, media_type=part.media_type),
            clean_filename(part.filename) or clean_filename(filename),
            part.chunks(),
        )
    raise UnsupportedFormat(
        f"Content-Type {media_type or '(none)'} is not an intake file; send text/csv, "
        "application/x-ndjson or multipart/form-data with a 'file' part"
    )


async def _read(file: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await file.read(READ_BYTES):
        yield chunk


def from_form_file(file: UploadFile) -> Upload:
    """A file a form sent (already parsed by Starlette, as the console's forms are)."""
    return Upload(
        format_of(filename=file.filename, media_type=file.content_type),
        clean_filename(file.filename),
        _read(file),
    )


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: bytes = b""
    value: bytes = b""
    is_file: bool = False


class MultipartFile:
    """The `file` part of a multipart/form-data body, read as the body arrives."""

    def __init__(self, request: Request) -> None:
        _, params = parse_options_header(request.headers.get("content-type", ""))
        boundary = params.get(b"boundary")
        if not boundary:
            raise InvalidFile("The multipart body has no boundary")
        self.body = request.stream().__aiter__()
        self.filename: str | None = None
        self.media_type: str | None = None
        self.found = self.done = self.ended = False
        self.out: deque[bytes] = deque()
        self.part = _Part()
        callbacks = {
            "on_part_begin": self._begin,
            "on_header_field": lambda d, s, e: self._grow("name", d[s:e]),
            "on_header_value": lambda d, s, e: self._grow("value", d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._part_end,
        }
        try:
            self.parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
        except MultipartParseError as exc:
            raise InvalidFile(f"The multipart body cannot be read: {exc}") from exc

    async def open(self) -> None:
        """Read until the file part's headers; InvalidFile when the body has none."""
        while not self.found and await self._feed():
            pass
        if not self.found:
            raise InvalidFile(f"The multipart body has no '{FILE_FIELD}' part")

    async def chunks(self) -> AsyncIterator[bytes]:
        while True:
            while self.out:
                yield self.out.popleft()
            if self.done or not await self._feed():
                return

    async def _feed(self) -> bool:
        if self.ended:
            return False
        try:
            chunk = await self.body.__anext__()
        except StopAsyncIteration:
            self.ended = True
            if self.found and not self.done:
                raise InvalidFile("The multipart body ends inside the file part") from None
            return False
        try:
            self.parser.write(chunk)
        except MultipartParseError as exc:
            raise InvalidFile(f"The multipart body cannot be read: {exc}") from exc
        return True

    def _begin(self) -> None:
        self.part = _Part()

    def _grow(self, attribute: str, data: bytes) -> None:
        value = getattr(self.part, attribute) + data
        if len(value) > 8192:
            raise InvalidFile("A multipart header is too long")
        setattr(self.part, attribute, value)

    def _header_end(self) -> None:
        self.part.headers[self.part.name.strip().lower()] = self.part.value.strip()
        self.part.name = self.part.value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self.part.headers.get(b"content-disposition", b""))
        if options.get(b"name") != FILE_FIELD.encode() or self.found:
            return
        self.part.is_file = self.found = True
        self.filename = options.get(b"filename", b"").decode("utf-8", "replace") or None
        media_type = self.part.headers.get(b"content-type", b"").split(b";")[0].strip()
        self.media_type = media_type.decode("latin-1") or None

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self.part.is_file and not self.done:
            self.out.append(data[start:end])

    def _part_end(self) -> None:
        if self.part.is_file:
            self.done = True
