"""Streaming upload of exhibits: hashed and counted as the bytes arrive (DESIGN.md 5).

An export of several gigabytes must never sit in memory, nor be read twice to hash it.
`HashingUploadHandler` takes each chunk from Django's multipart parser, counts it against
EXHIBIT_MAX_BYTES and hands it to a writer thread that feeds SHA-256 and writes it to a
temporary file in the storage area's own temp dir (same filesystem as MEDIA_ROOT, so storing
it is a rename, not a copy), space for it reserved up front. When the upload is refused, cut
short or cannot be written, the temporary file is deleted: nothing is left behind.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import queue
import tempfile
import threading
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopFutureHandlers, StopUpload

logger = logging.getLogger(__name__)

# Large enough that per-chunk Python overhead vanishes beside hashing; small enough that the
# multipart parser's copies of each chunk stay in the CPU cache and a few chunks in flight
# keep memory flat. Measured (Django's parser feeding this handler from memory, 512 MiB):
# 4 MiB chunks ran at 120-270 MB/s, 256 KiB-1 MiB ones at 250-1,100 MB/s on the same busy
# 2-core machine. 1 MiB is also gunicorn's largest single recv().
UPLOAD_CHUNK_BYTES = 1024 * 1024
UPLOAD_FIELD = "file"
DEFAULT_EXHIBIT_MAX_BYTES = 20 * 1024**3
# Room in Content-Length for the multipart headers and the small form fields besides the file.
MULTIPART_OVERHEAD_BYTES = 1024 * 1024
TEMP_PREFIX = "upload-"
TEMP_SUFFIX = ".part"


def exhibit_max_bytes() -> int:
    return int(getattr(settings, "EXHIBIT_MAX_BYTES", DEFAULT_EXHIBIT_MAX_BYTES))


def upload_temp_dir() -> Path:
    """Where uploads land while they stream in: FILE_UPLOAD_TEMP_DIR, else MEDIA_ROOT/incoming.

    The default sits beside the stored exhibits so the final move is a rename; a
    FILE_UPLOAD_TEMP_DIR on another filesystem still works, at the cost of one copy.
    """
    configured = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
    directory = Path(configured) if configured else Path(settings.MEDIA_ROOT) / "incoming"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def original_name_sanitised(name: str | None) -> str:
    """The uploader's file name as metadata only: no path, no control characters, NFC, 255 chars."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if char.isprintable()).strip()
    return "" if name in {".", ".."} else name[:255]


class HashedUpload(UploadedFile):
    """An upload complete on disk in the temp dir, with its size and SHA-256 already known.

    `temporary_file_path()` lets FileSystemStorage store it by renaming. `close()` deletes
    the temporary file if it is still there, so an upload that was never registered (a
    refused request, an error) is removed when Django closes the request's files.
    """

    def __init__(self, *, path: Path, name: str, content_type: str, size: int, sha256: str):
        super().__init__(file=open(path, "rb"), name=name or "upload", content_type=content_type, size=size)
        self.path = Path(path)
        self.sha256 = sha256
        self.original_name = original_name_sanitised(name)

    def temporary_file_path(self) -> str:
        return str(self.path)

    def close(self) -> None:
        try:
            self.file.close()
        finally:
            self.path.unlink(missing_ok=True)


def hashed_upload_from_chunks(chunks, *, name: str, content_type: str) -> HashedUpload:
    """Write chunks to a temp file while hashing them: for copies and redactions made on the server."""
    fd, raw_path = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=upload_temp_dir())
    path = Path(raw_path)
    digest = hashlib.sha256()
    size = 0
    try:
        with open(fd, "wb", buffering=0) as out:
            for chunk in chunks:
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return HashedUpload(path=path, name=name, content_type=content_type, size=size, sha256=digest.hexdigest())


class _DigestingWriter:
    """Hashes and writes chunks, in order, on a thread of its own.

    The request thread goes on receiving and parsing the next chunk meanwhile; hashlib and
    file writes release the GIL, so the two overlap on two cores. At most QUEUED_CHUNKS wait
    in the queue, so memory stays a few chunks whatever the file's size.
    """

    QUEUED_CHUNKS = 2

    def __init__(self, fd: int):
        self.fd = fd
        self.error: Exception | None = None
        self._digest = hashlib.sha256()
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=self.QUEUED_CHUNKS)
        self._thread = threading.Thread(target=self._run, name="exhibit-upload-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self.error is not None:
                continue  # drain the queue so put() never blocks after a failure
            try:
                self._digest.update(chunk)
                view = memoryview(chunk)
                while view:
                    view = view[os.write(self.fd, view):]
            except Exception as exc:  # handed to the request thread, which refuses the upload
                self.error = exc

    def put(self, chunk: bytes) -> None:
        if self.error is not None:
            raise self.error
        self._queue.put(chunk)

    def finish(self) -> str:
        """Wait for every chunk to be written; the SHA-256 of them all."""
        self._queue.put(None)
        self._thread.join()
        if self.error is not None:
            raise self.error
        return self._digest.hexdigest()

    def abandon(self) -> None:
        self._queue.put(None)
        self._thread.join()


class HashingUploadHandler(FileUploadHandler):
    """Take the one file of an exhibit upload (field "file"), hashing and counting it as it streams.

    Attach it before request.POST or request.FILES is touched:
        handler = HashingUploadHandler(request); request.upload_handlers = [handler]
    After parsing, `refusal` says why the file is missing (too large, cut short, no space) with
    `refusal_status`, and `discard()` removes a half-written file if parsing itself raised.
    """

    chunk_size = UPLOAD_CHUNK_BYTES

    def __init__(self, request=None, *, max_bytes: int | None = None):
        super().__init__(request)
        self.max_bytes = exhibit_max_bytes() if max_bytes is None else max_bytes
        self.refusal: str | None = None
        self.refusal_status = 400
        self.bytes_received = 0
        self.declared_length: int | None = None
        self._fd: int | None = None
        self._writer: _DigestingWriter | None = None
        self._temp_path: Path | None = None
        self._taken = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.declared_length = content_length
        return None  # let Django's multipart parser do the parsing

    def _refuse(self, status: int, detail: str, *, read_rest: bool) -> None:
        self.refusal, self.refusal_status = detail, status
        self.discard()
        # read_rest: consume the (small) rest of the body so the client can read our answer;
        # otherwise stop reading at once (no point receiving gigabytes we cannot keep).
        raise StopUpload(connection_reset=not read_rest)

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        if field_name != UPLOAD_FIELD or self._taken:
            raise SkipFile()  # one exhibit per upload; other file parts are read and dropped
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self._taken = True
        self._fd, raw_path = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=upload_temp_dir())
        self._temp_path = Path(raw_path)
        self._preallocate()
        self._writer = _DigestingWriter(self._fd)
        raise StopFutureHandlers()

    def _preallocate(self) -> None:
        """Reserve the declared size on disk before reading the body.

        An upload the disk cannot hold is refused before any of it is received, and writing
        into reserved space avoids allocating blocks as the file grows (several times faster
        on ext4). The file is cut to its true size when complete.
        """
        reserve = min(self.declared_length or 0, self.max_bytes)
        if reserve <= 0:
            return
        try:
            os.posix_fallocate(self._fd, 0, reserve)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                self._refuse(507, f"There is not enough storage space for an upload of {reserve:,} bytes; nothing "
                                  "was kept. Tell the CCTV manager.", read_rest=False)
            logger.info("upload preallocation unsupported here: %s", exc)  # the upload goes on without it

    def receive_data_chunk(self, raw_data: bytes, start: int):
        self.bytes_received += len(raw_data)
        if self.bytes_received > self.max_bytes:
            self._refuse(413, f"The file is larger than the limit of {self.max_bytes:,} bytes for one exhibit; "
                              "nothing was kept.", read_rest=True)
        try:
            self._writer.put(raw_data)
        except OSError as exc:
            logger.error("upload could not be written: %s", exc)
            self._refuse(507 if exc.errno in (errno.ENOSPC, errno.EDQUOT) else 500,
                         f"The upload could not be stored ({exc.strerror}); nothing was kept.", read_rest=False)
        return None

    def file_complete(self, file_size: int):
        if self._writer is None:
            return None
        try:
            sha256 = self._writer.finish()
            self._writer = None
            os.ftruncate(self._fd, file_size)  # give back what was reserved beyond the file
        except OSError as exc:
            logger.error("upload could not be written: %s", exc)
            self._refuse(500, f"The upload could not be stored ({exc.strerror}); nothing was kept.", read_rest=False)
        os.close(self._fd)
        self._fd = None
        path, self._temp_path = self._temp_path, None
        return HashedUpload(path=path, name=self.file_name, content_type=self.content_type or "",
                            size=file_size, sha256=sha256)

    def upload_interrupted(self):
        """The body ended before the file's closing boundary: the client stopped sending.

        Django also calls this after a part it skipped; only a file of ours left half-written
        means the upload was cut short.
        """
        if self._writer is None:
            return
        declared = f" of {self.declared_length:,} declared" if self.declared_length else ""
        self.refusal = (
            f"The upload was cut short after {self.bytes_received:,} bytes{declared}; nothing was kept. "
            "Send the whole file again."
        )
        self.discard()

    def discard(self) -> None:
        """Stop writing, close and delete the file being written, if any (safe to call more than once)."""
        if self._writer is not None:
            self._writer.abandon()
            self._writer = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._temp_path is not None:
            logger.info("upload discarded bytes=%s", self.bytes_received)
            self._temp_path.unlink(missing_ok=True)
            self._temp_path = None
