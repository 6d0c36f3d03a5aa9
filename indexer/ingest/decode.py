"""Bytes to text: UTF-16/32 by their byte-order mark, UTF-8 (BOM stripped), else a single-byte encoding with a
note; binary refused."""

from __future__ import annotations

import codecs
import logging

from ..errors import DecodeError

log = logging.getLogger(__name__)


BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))  # UTF-32 first: its little-endian mark begins like UTF-16's


def decode(data: bytes, relpath: str) -> str:
    """UTF-16 or UTF-32 with a byte-order mark; UTF-8 (BOM stripped), else cp1252, else latin-1; binary data
    is refused."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise DecodeError(f"undecodable: starts with a {encoding.upper()} byte-order mark but is not "
                                  f"{encoding.upper()}") from None
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
