"""Helpers for the exhibit tests: deterministic bytes, streamed multipart bodies, stills, URLs."""

from __future__ import annotations

import hashlib
import io
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from PIL import Image

from evidence.choices import RequestState
from tests.evidence.factories import EvidenceRequestFactory

BLOCK_BYTES = 1024 * 1024


def upload_url(request_id: int) -> str:
    return f"/api/evidence/exhibits/upload/{request_id}"


def deterministic_blocks(total_bytes: int, *, seed: int = 5) -> Iterator[bytes]:
    """`total_bytes` of seeded random data, 1 MiB at a time, each block stamped with its number."""
    base = random.Random(seed).randbytes(BLOCK_BYTES)
    sent, number = 0, 0
    while sent < total_bytes:
        block = (number.to_bytes(8, "big") + base[8:])[: total_bytes - sent]
        yield block
        sent += len(block)
        number += 1


def sha256_of(blocks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for block in blocks:
        digest.update(block)
    return digest.hexdigest()


@dataclass
class MultipartBody:
    """A multipart/form-data body whose file part is streamed; its length is known up front."""

    content_type: str
    length: int
    head: bytes
    tail: bytes
    file_blocks: Iterable[bytes]

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        yield from self.file_blocks
        yield self.tail


def multipart_body(*, file_blocks: Iterable[bytes], file_size: int, filename: str = "export.mp4",
                   fields: dict[str, str] | None = None, content_type: str = "video/mp4") -> MultipartBody:
    boundary = "----vale-exhibit-boundary-7f3a9c"
    head = b""
    for name, value in (fields or {}).items():
        head += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n').encode()
    head += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
             f"Content-Type: {content_type}\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return MultipartBody(content_type=f"multipart/form-data; boundary={boundary}",
                         length=len(head) + file_size + len(tail), head=head, tail=tail, file_blocks=file_blocks)


def still_bytes(width: int = 64, height: int = 48, *, image_format: str = "PNG") -> bytes:
    """A still with detail everywhere: every pixel differs from its neighbours (so blur shows)."""
    image = Image.new("RGB", (width, height))
    image.putdata([((x * 37 + y * 11) % 256, (x * 5 + y * 53) % 256, ((x ^ y) * 29) % 256)
                   for y in range(height) for x in range(width)])
    out = io.BytesIO()
    image.save(out, format=image_format)
    return out.getvalue()


def request_in_state(*, owner, requester, state: str = RequestState.FOOTAGE_FOUND, **kwargs):
    return EvidenceRequestFactory(owner=owner, requester=requester, state=state, with_created_event=True, **kwargs)
