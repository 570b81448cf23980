"""Streamed uploads through a live server: big files in flat memory, and nothing left by a failed one.

These send real HTTP to pytest-django's live server (a thread of this process, so this
process's RSS includes the server's), with the body streamed from a generator.
"""

import http.client
import socket
import threading
from pathlib import Path
from urllib.parse import urlparse

import psutil
import pytest

from accounts.services import api_token_create
from evidence.choices import CustodyEventType, RequestState
from evidence.models import CustodyEvent, Exhibit
from tests.evidence.factories_exhibits import (
    deterministic_blocks,
    multipart_body,
    request_in_state,
    sha256_of,
    upload_url,
)

MiB = 1024 * 1024


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = None


@pytest.fixture
def case(council, officer):
    return request_in_state(owner=council, requester=officer, state=RequestState.SEARCHING)


@pytest.fixture
def token(operator):
    return api_token_create(user=operator, name="export station").plaintext


@pytest.fixture
def server(live_server):
    url = urlparse(live_server.url)
    return url.hostname, url.port


def _post(server, path, body, token, *, timeout=300):
    connection = http.client.HTTPConnection(*server, timeout=timeout)
    connection.putrequest("POST", path)
    connection.putheader("Authorization", f"Bearer {token}")
    connection.putheader("Content-Type", body.content_type)
    connection.putheader("Content-Length", str(body.length))
    connection.endheaders()
    for piece in body:
        connection.send(piece)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, payload


def _raw_exchange(server, request_head: bytes, body_part: bytes = b"") -> str:
    """Send a head and part of a body, stop sending (half-close), and read the server's answer."""
    with socket.create_connection(server, timeout=60) as sock:
        sock.sendall(request_head + body_part)
        sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received.decode("utf-8", "replace")


def _files_under(settings) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


class PeakRss:
    """Samples this process's resident memory every 10 ms while the block runs."""

    def __init__(self):
        self.process = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            self._stop.wait(0.01)

    def __enter__(self):
        self.baseline = self.process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def growth_mib(self) -> float:
        return (self.peak - self.baseline) / MiB


def test_a_200_mb_upload_is_hashed_as_it_streams_in_flat_memory(server, case, token, settings):
    size = 200 * MiB
    expected_sha256 = sha256_of(deterministic_blocks(size))
    # Warm up: the first request imports and allocates what every later one reuses.
    warm = multipart_body(file_blocks=deterministic_blocks(MiB, seed=1), file_size=MiB,
                          fields={"is_master_copy": "false"})
    assert _post(server, upload_url(case.pk), warm, token)[0] == 201

    body = multipart_body(file_blocks=deterministic_blocks(size), file_size=size, filename="VOG-004 export.mp4")
    with PeakRss() as memory:
        status, payload = _post(server, upload_url(case.pk), body, token)

    assert status == 201, payload
    exhibit = Exhibit.objects.get(original_filename="VOG-004 export.mp4")
    assert (exhibit.sha256, exhibit.size_bytes) == (expected_sha256, size)
    stored = Path(exhibit.file.path)
    assert stored.stat().st_size == size
    with stored.open("rb") as handle:
        assert sha256_of(iter(lambda: handle.read(4 * MiB), b"")) == expected_sha256
    assert CustodyEvent.objects.get(exhibit=exhibit).event_type == CustodyEventType.HASHED
    assert memory.growth_mib < 64, f"resident memory grew {memory.growth_mib:.0f} MiB during a 200 MiB upload"


def test_an_upload_cut_short_leaves_no_exhibit_and_no_file(server, case, token, settings):
    body = multipart_body(file_blocks=deterministic_blocks(8 * MiB), file_size=8 * MiB)
    head = (f"POST {upload_url(case.pk)} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: {body.content_type}\r\nContent-Length: {body.length}\r\n\r\n").encode()
    sent = body.head + b"".join(deterministic_blocks(3 * MiB))  # the client stops after 3 of 8 MiB

    answer = _raw_exchange(server, head, sent)

    assert answer.startswith("HTTP/1.1 400") and "cut short after 3,145,728 bytes" in answer
    assert Exhibit.objects.count() == 0
    assert not CustodyEvent.objects.filter(event_type=CustodyEventType.HASHED).exists()
    assert _files_under(settings) == []  # neither the temp dir nor storage holds anything


def test_an_upload_over_the_limit_is_stopped_as_it_streams_and_leaves_nothing(server, case, token, settings):
    settings.EXHIBIT_MAX_BYTES = 2 * MiB
    body = multipart_body(file_blocks=deterministic_blocks(2 * MiB + 1), file_size=2 * MiB + 1)

    status, payload = _post(server, upload_url(case.pk), body, token)

    assert status == 413 and b"larger than the limit of 2,097,152 bytes" in payload
    assert Exhibit.objects.count() == 0 and _files_under(settings) == []


def test_an_upload_of_exactly_the_limit_is_accepted(server, case, token, settings):
    settings.EXHIBIT_MAX_BYTES = 2 * MiB
    body = multipart_body(file_blocks=deterministic_blocks(2 * MiB), file_size=2 * MiB)
    assert _post(server, upload_url(case.pk), body, token)[0] == 201


def test_an_upload_declared_over_the_limit_is_refused_before_its_body_is_read(server, case, token, settings):
    settings.EXHIBIT_MAX_BYTES = 2 * MiB
    head = (f"POST {upload_url(case.pk)} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 3221225472\r\n\r\n").encode()

    answer = _raw_exchange(server, head)  # none of the 3 GiB is ever sent

    assert answer.startswith("HTTP/1.1 413") and "declares 3,221,225,472 bytes" in answer
    assert _files_under(settings) == []


def test_a_chunked_upload_is_refused_with_411_because_django_needs_a_length(server, case, token, settings):
    head = (f"POST {upload_url(case.pk)} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
    answer = _raw_exchange(server, head, b"0\r\n\r\n")
    assert answer.startswith("HTTP/1.1 411") and "Content-Length" in answer
    assert _files_under(settings) == []
