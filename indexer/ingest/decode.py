"""Bytes to text: UTF-8 (BOM stripped), else a single-byte encoding with a note; binary refused."""

from __future__ import annotations

import logging

from ..errors import DecodeError

log = logging.getLogger(__name__)


def decode(data: bytes, relpath: str) -> str:
    """UTF-8 (BOM stripped), else cp1252, else latin-1; binary data is refused."""
    if b"\x00" in data[:8192]:
        raise DecodeError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
        if controls > len(text) / 100:
            raise DecodeError("undecodable: neither UTF-8 nor a single-byte text encoding")
        log.info("%s: not UTF-8, read as %s", relpath, encoding)
        return text
    raise DecodeError("undecodable: neither UTF-8 nor a single-byte text encoding")
