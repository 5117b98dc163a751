"""Tampered and broken files: an editor's incremental save, truncation, encryption."""

from __future__ import annotations

import io
import re

import pikepdf

EDITOR = "Adobe Photoshop 25.0 (Windows)"


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def edited_pdf(pdf_bytes: bytes, mod_date: str = "D:20261025213344+08'00'",
               producer: str = EDITOR) -> bytes:
    """The original bytes plus an appended incremental update (a new /Info with the
    editor as /Producer and a /ModDate after /CreationDate), as an editor saves it.

    Needs a classic xref table in the original (what ``samples`` writes)."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        trailer = pdf.trailer
        size = int(trailer.Size)
        root = trailer.Root.objgen
        info = {str(k): str(v) for k, v in pdf.docinfo.items()}
        ids = [bytes(x).hex().upper() for x in trailer.ID] if "/ID" in trailer else []
    starts = re.findall(rb"startxref\s+(\d+)", pdf_bytes)
    prev = int(starts[-1])
    info["/Producer"] = producer
    info["/ModDate"] = mod_date
    body = "".join(f"{k} {v if v.startswith('/') else _pdf_string(v)}"
                   for k, v in sorted(info.items()) if _ascii(v))
    # Non-ASCII entries (title, creator) are written back as UTF-16BE hex strings.
    for k, v in sorted(info.items()):
        if not _ascii(v):
            body += f"{k} <FEFF{v.encode('utf-16-be').hex().upper()}>"
    out = bytearray(pdf_bytes)
    if not out.endswith(b"\n"):
        out += b"\n"
    offset = len(out)
    out += f"{size} 0 obj\n<< {body} >>\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 1\n0000000000 65535 f \n{size} 1\n{offset:010d} 00000 n \n".encode()
    id_part = f" /ID [<{ids[0]}> <{ids[-1]}>]" if ids else ""
    out += (f"trailer\n<< /Size {size + 1} /Root {root[0]} {root[1]} R /Info {size} 0 R"
            f" /Prev {prev}{id_part} >>\nstartxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def _ascii(text: str) -> bool:
    return all(32 <= ord(c) < 127 for c in text)


def revisions(pdf_bytes: bytes) -> int:
    """1 + the number of incremental updates (counted by ``startxref`` markers)."""
    return len(re.findall(rb"startxref\s+\d+", pdf_bytes))


def truncated(data: bytes, keep: float = 0.45) -> bytes:
    return data[: int(len(data) * keep)]


def encrypted(pdf_bytes: bytes, user_password: str = "8866") -> bytes:
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        out = io.BytesIO()
        pdf.save(out, encryption=pikepdf.Encryption(owner="owner-" + user_password,
                                                    user=user_password, R=4, aes=False,
                                                    metadata=False),
                 static_id=True, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()
