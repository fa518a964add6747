"""Small PDFs built byte by byte for the upload checks (no PDF library needed)."""

from __future__ import annotations

import random
import zlib


def pdf(*objects: bytes, trailer: bytes = b"<</Root 1 0 R>>") -> bytes:
    """A PDF of ``objects`` (numbered from 1), with a cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def catalog(extra: bytes = b"") -> bytes:
    return b"<</Type/Catalog/Pages 2 0 R" + extra + b">>"


PAGES = b"<</Type/Pages/Kids[3 0 R]/Count 1>>"
PAGE = b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>"


def plain(extra: bytes = b"", *more: bytes) -> bytes:
    """A one-page PDF whose catalog carries ``extra``; ``more`` objects follow (4, 5...)."""
    return pdf(catalog(extra), PAGES, PAGE, *more)


def stream(data: bytes, dictionary: bytes = b"") -> bytes:
    return b"<<" + dictionary + b"/Length %d>>\nstream\n" % len(data) + data + b"\nendstream"


def object_stream(objects: dict[int, bytes], *, compress: bool = True) -> bytes:
    """An object stream (/Type /ObjStm) holding ``objects`` by number."""
    header = b""
    body = b""
    for number, text in objects.items():
        header += b"%d %d " % (number, len(body))
        body += text + b"\n"
    data = header + body
    dictionary = b"/Type/ObjStm/N %d/First %d" % (len(objects), len(header))
    if compress:
        return stream(zlib.compress(data), dictionary + b"/Filter/FlateDecode")
    return stream(data, dictionary)


def noisy_image(size: int = 200_000, seed: int = 7) -> bytes:
    """An image stream of random bytes that happen to spell short PDF names."""
    noise = bytearray(random.Random(seed).randbytes(size))
    noise[1000:1004] = b"/JS("
    noise[5000:5005] = b"/AA<<"
    return stream(
        bytes(noise),
        b"/Type/XObject/Subtype/Image/Width 100/Height 100/BitsPerComponent 8"
        b"/ColorSpace/DeviceRGB/Filter/DCTDecode",
    )
