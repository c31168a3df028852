"""Base64 file uploads (templates/runtime/_files.py): read_file_input, and file_upload, which the
methods generated for an x-file-upload body call with their file, file-name and media-type
arguments."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

PDF = b"%PDF-1.4\n%%EOF\n"
PDF_B64 = base64.b64encode(PDF).decode("ascii")


def test_bytes_need_their_name_and_get_a_guessed_media_type(rt):
    assert rt.read_file_input(PDF, "invoice-200001.pdf") == (
        PDF_B64,
        "invoice-200001.pdf",
        "application/pdf",
    )


def test_bytes_with_an_explicit_media_type(rt):
    assert rt.read_file_input(PDF, "scan", "application/pdf") == (PDF_B64, "scan", "application/pdf")


def test_a_path_is_read_and_names_the_file(rt, tmp_path):
    doc = tmp_path / "test.pdf"
    doc.write_bytes(PDF)
    assert rt.read_file_input(doc) == (PDF_B64, "test.pdf", "application/pdf")


def test_a_str_is_a_path_never_the_content(rt, tmp_path, monkeypatch):
    doc = tmp_path / "test.pdf"
    doc.write_bytes(PDF)
    assert rt.read_file_input(str(doc)) == (PDF_B64, "test.pdf", "application/pdf")
    monkeypatch.chdir(tmp_path)
    assert rt.read_file_input("test.pdf") == (PDF_B64, "test.pdf", "application/pdf")
    with pytest.raises(FileNotFoundError):
        rt.read_file_input(PDF_B64)


def test_any_path_like(rt, tmp_path):
    class Where(os.PathLike[str]):
        def __fspath__(self) -> str:
            return str(tmp_path / "notes.txt")

    (tmp_path / "notes.txt").write_bytes(b"hello")
    assert rt.read_file_input(Where()) == ("aGVsbG8=", "notes.txt", "text/plain")


def test_given_name_and_media_type_win_over_the_path(rt, tmp_path):
    doc = tmp_path / "scan-0001.bin"
    doc.write_bytes(PDF)
    assert rt.read_file_input(doc, "invoice.pdf") == (PDF_B64, "invoice.pdf", "application/pdf")
    assert rt.read_file_input(doc, None, "application/x-custom")[1:] == (
        "scan-0001.bin",
        "application/x-custom",
    )


def test_unknown_extension_is_octet_stream(rt):
    assert rt.read_file_input(b"\x00", "blob.specgen-unknown")[2] == "application/octet-stream"


@pytest.mark.parametrize("filename", [None, ""])
def test_bytes_without_a_name_are_refused(rt, filename):
    with pytest.raises(ValueError, match="filename is required"):
        rt.read_file_input(PDF, filename)


def test_a_missing_file_raises_before_anything_is_encoded(rt, tmp_path):
    with pytest.raises(FileNotFoundError):
        rt.read_file_input(tmp_path / "missing.pdf")


def test_file_upload_reads_the_file(rt, tmp_path):
    doc = tmp_path / "test.pdf"
    doc.write_bytes(PDF)
    assert rt.file_upload(Path(doc), None, None) == (PDF_B64, "test.pdf", "application/pdf")
    assert rt.file_upload(PDF, "a.pdf", None) == (PDF_B64, "a.pdf", "application/pdf")
    with pytest.raises(ValueError, match="filename"):
        rt.file_upload(PDF, None, "application/pdf")


def test_file_upload_without_a_file_passes_the_other_arguments_through(rt):
    # body= was given, or the optional file left out: nothing is read or guessed.
    assert rt.file_upload(None, None, None) == (None, None, None)
    assert rt.file_upload(None, "a.pdf", None) == (None, "a.pdf", None)
