"""One error class per way a file cannot be read, each with a stable code and
a message that tells intake staff what to do."""

from __future__ import annotations

import logging
import traceback


class ReadError(Exception):
    code = "read.failed"
    advice = "Upload the file again."

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__(f"{detail} {self.advice}".strip())


class EmptyFile(ReadError):
    code = "read.unreadable.empty"
    advice = "The file is empty: upload it again."


class UnsupportedFileType(ReadError):
    code = "read.unreadable.unsupported_type"
    advice = "Upload a JPEG, PNG, TIFF or PDF file."


class CorruptImage(ReadError):
    code = "read.unreadable.corrupt_image"
    advice = "The image cannot be decoded: take the photo again or re-scan."


class CorruptPdf(ReadError):
    code = "read.unreadable.corrupt_pdf"
    advice = "The PDF is damaged or truncated: download or export it again."


class EncryptedPdf(ReadError):
    code = "read.unreadable.encrypted_pdf"
    advice = "The PDF is password-protected: ask for a copy without a password."


class TooLarge(ReadError):
    code = "read.unreadable.too_large"
    advice = "The file has too many pages or pixels: split it or scan at 300 dpi."


def log_bug(log: logging.Logger, what: str, err: BaseException) -> None:
    """An unexpected exception, logged with its type and traceback but not its
    message: a message may quote what was read (names, ID numbers)."""
    log.error("%s failed with %s\n%s", what, type(err).__name__,
              "".join(traceback.format_tb(err.__traceback__)))
