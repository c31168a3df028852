"""File inputs: base64 document uploads inside JSON bodies, and multipart/form-data parts."""

from __future__ import annotations

import base64
import mimetypes
import os
from collections.abc import Mapping
from pathlib import Path

from ._types import FileInput, MultipartFile

__all__ = ["FileInput", "file_upload", "guess_media_type", "multipart_files", "read_file_input"]

_DEFAULT_MEDIA_TYPE = "application/octet-stream"


def guess_media_type(filename: str) -> str:
    """The media type for a file name's extension, application/octet-stream if unknown."""
    return mimetypes.guess_type(filename, strict=False)[0] or _DEFAULT_MEDIA_TYPE


def _read(file: FileInput, filename: str | None) -> tuple[bytes, str | None]:
    if isinstance(file, bytes):
        return file, filename
    # A str is a path, never the content: content is always bytes.
    path = Path(os.fspath(file))
    return path.read_bytes(), filename or path.name


def read_file_input(
    file: FileInput, filename: str | None = None, media_type: str | None = None
) -> tuple[str, str, str]:
    """(base64 content, file name, media type) of bytes or of the file at a path.

    The name defaults to the path's name (required for bytes); the media type is guessed from
    the name.
    """
    content, name = _read(file, filename)
    if not name:
        raise ValueError("filename is required when the file is given as bytes")
    return (
        base64.b64encode(content).decode("ascii"),
        name,
        media_type or guess_media_type(name),
    )


def file_upload(
    file: FileInput | None, filename: str | None, media_type: str | None
) -> tuple[str | None, str | None, str | None]:
    """The (content, file name, media type) body fields of a generated upload method.

    With a file: read_file_input. Without one (the caller passed body= or left the optional file
    out): no content, and the file name and media type as given.
    """
    if file is None:
        return None, filename, media_type
    return read_file_input(file, filename, media_type)


def multipart_files(files: Mapping[str, MultipartFile]) -> list[tuple[str, tuple[str, bytes, str]]]:
    """httpx `files=` parts: paths are read, names default to the path's or the field's."""
    parts: list[tuple[str, tuple[str, bytes, str]]] = []
    for field_name, value in files.items():
        if isinstance(value, tuple):
            name, content = value[0], value[1]
            media_type = value[2] if len(value) == 3 else guess_media_type(name)
        else:
            content, read_name = _read(value, None)
            name = read_name or field_name
            media_type = guess_media_type(name)
        parts.append((field_name, (name, content, media_type)))
    return parts
