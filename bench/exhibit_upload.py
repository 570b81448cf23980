"""Benchmark (issue 5): a 2 GB exhibit upload through gunicorn against `openssl dgst -sha256`.

DESIGN.md 5 says uploads are hashed as they stream in, so memory stays flat and the cost is
close to hashing alone; `openssl dgst -sha256` over the same file is the ceiling. One run:
  * generates a 2 GB file of seeded random bytes beside the bench media dir (deleted after);
  * starts gunicorn (one sync worker) on 127.0.0.1 against the bench database, with the
    streamed upload view routed as config/urls.py will route it;
  * uploads the file from disk with http.client (multipart, Content-Length known, the file
    sent in 1 MiB reads: Django's WSGI handler needs a length, so no chunked encoding),
    sampling the worker's RSS every 20 ms;
  * checks the stored SHA-256 equals openssl's, and prints both rates, their ratio, the
    worker's peak RSS growth and, for context, how fast the same bytes can merely be written
    to a new file beside the exhibits (no HTTP, no hash). Then stops gunicorn and deletes
    the files it made. Each figure is over --repeat runs, since a shared machine is noisy.

Run: .venv/bin/python bench/exhibit_upload.py [--size-mb 2048] [--repeat 3]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

MiB = 1024 * 1024
BOUNDARY = "----vale-bench-boundary-2b7e"


def _generate(path: Path, size: int) -> None:
    block = random.Random(5).randbytes(4 * MiB)
    with path.open("wb") as out:
        written, number = 0, 0
        while written < size:
            piece = (number.to_bytes(8, "big") + block[8:])[: size - written]
            out.write(piece)
            written += len(piece)
            number += 1
        out.flush()
        os.fsync(out.fileno())  # so the upload's own writes do not queue behind this file's


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _arrange() -> tuple[int, str]:
    """A bench council, operator, token and a request in 'searching' (a new request each run)."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.choices import OrganisationKind, Role
    from accounts.models import Organisation, User
    from accounts.services import api_token_create
    from evidence.choices import CustodyEventType, LegalBasis, RequestKind, RequestState
    from evidence.custody import custody_event_append
    from evidence.models import EvidenceRequest

    council, _ = Organisation.objects.get_or_create(name="Bench Council", defaults={"kind": OrganisationKind.COUNCIL})
    operator, _ = User.objects.get_or_create(username="bench-operator",
                                             defaults={"role": Role.OPERATOR, "organisation": council})
    now = timezone.now()
    with transaction.atomic():
        request = EvidenceRequest.objects.create(
            reference=f"BENCH-{int(time.time() * 1000) % 10**14}", owner=council, requester=operator,
            requester_organisation=council, kind=RequestKind.INTERNAL, legal_basis=LegalBasis.UK_GDPR_ART6_1E,
            incident_starts_at=now, incident_ends_at=now, reason="upload benchmark", state=RequestState.SEARCHING,
            state_changed_at=now, received_at=now,
        )
        custody_event_append(request=request, event_type=CustodyEventType.CREATED, actor=operator)
    return request.pk, api_token_create(user=operator, name="bench").plaintext


def _start_gunicorn(port: int, media_root: Path) -> subprocess.Popen:
    env = {**os.environ, "MEDIA_ROOT": str(media_root), "EXHIBIT_BENCH_SERVER": "1", "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--chdir", str(Path(__file__).parent),
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "900", "--no-control-socket",
         "exhibit_upload:application"],
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start within 60 s")


class WorkerRss:
    """Peak resident memory of the gunicorn workers (children of the master), sampled every 20 ms."""

    def __init__(self, master_pid: int):
        import psutil

        self.workers = psutil.Process(master_pid).children(recursive=True)
        self.baseline = sum(worker.memory_info().rss for worker in self.workers)
        self.cpu_start = self._cpu()
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(worker.memory_info().rss for worker in self.workers))
            self._stop.wait(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.cpu_seconds = self._cpu() - self.cpu_start

    def _cpu(self) -> float:
        """User + system CPU seconds of the workers (every thread): robust to a busy machine."""
        return sum(sum(worker.cpu_times()[:2]) for worker in self.workers)


def _upload(port: int, request_id: int, token: str, path: Path, size: int) -> tuple[int, dict, float]:
    head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
            "Content-Type: video/mp4\r\n\r\n").encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900, blocksize=MiB)
    start = time.perf_counter()
    connection.putrequest("POST", f"/api/evidence/exhibits/upload/{request_id}")
    connection.putheader("Authorization", f"Bearer {token}")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    connection.putheader("Content-Length", str(len(head) + size + len(tail)))
    connection.endheaders()
    connection.send(head)
    with path.open("rb") as body:
        connection.send(body)  # read and sent `blocksize` at a time
    connection.send(tail)
    response = connection.getresponse()
    payload = json.loads(response.read() or b"{}")
    seconds = time.perf_counter() - start
    connection.close()
    return response.status, payload, seconds


def _copy_seconds(source: Path, target: Path) -> float:
    """Writing the same bytes to a new file beside the exhibits, as the upload does: the storage ceiling."""
    os.sync()
    buffer = bytearray(MiB)
    start = time.perf_counter()
    with source.open("rb", buffering=0) as reader, target.open("wb", buffering=0) as writer:
        os.posix_fallocate(writer.fileno(), 0, source.stat().st_size)
        while count := reader.readinto(buffer):
            writer.write(memoryview(buffer)[:count])
    seconds = time.perf_counter() - start
    target.unlink()
    return seconds


def _openssl(path: Path) -> tuple[str, float, float]:
    """openssl's digest, wall seconds and CPU seconds (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    output = subprocess.run(["openssl", "dgst", "-sha256", "-r", str(path)], check=True, capture_output=True,
                            text=True).stdout
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return output.split()[0], seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    from _setup import django_setup

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=2048, help="upload size in MiB (default 2048)")
    parser.add_argument("--repeat", type=int, default=3, help="uploads (each followed by openssl), default 3")
    args = parser.parse_args()
    size = args.size_mb * MiB
    django_setup()

    workdir = Path(tempfile.mkdtemp(prefix="vale-bench-upload-", dir=os.environ.get("BENCH_TMP", "/tmp")))
    source, media_root = workdir / "bench-export.mp4", workdir / "media"
    server = None
    try:
        print(f"generating {size / 1e9:.2f} GB in {workdir} ...", flush=True)
        _generate(source, size)
        _openssl(source)  # read once so every run finds the file in the page cache
        server = _start_gunicorn(port := _free_port(), media_root)
        warm = workdir / "warm.bin"
        _generate(warm, MiB)  # the worker's first request imports and allocates what later ones reuse
        warm_request, token = _arrange()
        _upload(port, warm_request, token, warm, MiB)

        uploads, openssls, growths, copies, upload_cpus, openssl_cpus = [], [], [], [], [], []
        for _ in range(args.repeat):
            request_id, token = _arrange()
            os.sync()  # start each run with no dirty pages queued from the last one
            with WorkerRss(server.pid) as memory:
                status, body, upload_s = _upload(port, request_id, token, source, size)
            if status != 201:
                raise SystemExit(f"upload failed: {status} {body}")
            digest, openssl_s, openssl_cpu = _openssl(source)
            if body["sha256"] != digest:
                raise SystemExit(f"stored SHA-256 {body['sha256']} differs from openssl's {digest}")
            for stored in media_root.rglob("*.mp4"):
                stored.unlink()  # the bench's own copy; 2 GB per run adds up
            copies.append(size / _copy_seconds(source, media_root / "copy.bin") / 1e6)
            uploads.append(size / upload_s / 1e6)
            openssls.append(size / openssl_s / 1e6)
            growths.append((memory.peak - memory.baseline) / MiB)
            upload_cpus.append(memory.cpu_seconds / (size / 1e9))
            openssl_cpus.append(openssl_cpu / (size / 1e9))
            print(f"  run {len(uploads)}: upload {uploads[-1]:,.0f} MB/s, openssl {openssls[-1]:,.0f} MB/s, "
                  f"ratio {uploads[-1] / openssls[-1]:.0%}, worker RSS +{growths[-1]:.1f} MiB", flush=True)
        print(f"upload of {size / 1e9:.2f} GB through gunicorn+Django: best {max(uploads):,.0f} MB/s, "
              f"median {statistics.median(uploads):,.0f} MB/s")
        print(f"openssl dgst -sha256 of the same file:     best {max(openssls):,.0f} MB/s, "
              f"median {statistics.median(openssls):,.0f} MB/s")
        ratios = [upload / openssl for upload, openssl in zip(uploads, openssls, strict=True)]
        print(f"ratio (median of runs): {statistics.median(ratios):.0%} of openssl (aim >= 60%)")
        print(f"storage write ceiling (copy into MEDIA_ROOT, no HTTP, no hash): median "
              f"{statistics.median(copies):,.0f} MB/s")
        print(f"CPU seconds per GB (user+system, unaffected by waiting for a core): upload worker "
              f"{statistics.median(upload_cpus):.2f}, openssl {statistics.median(openssl_cpus):.2f}")
        print(f"worker peak RSS growth: {max(growths):.1f} MiB at most (aim < 64 MiB)")
        print(f"stored SHA-256 = openssl's in every run ({digest[:16]}...)")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


def _server_application():
    """The WSGI app gunicorn runs: the project's, with the upload view routed as config/urls.py will."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = __name__
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


if os.environ.get("EXHIBIT_BENCH_SERVER") == "1":
    from django.urls import include, path

    application = _server_application()
    from config.urls import urlpatterns as _project_urlpatterns

    urlpatterns = [path("api/evidence/exhibits/upload/", include("evidence.urls_upload")), *_project_urlpatterns]

if __name__ == "__main__":
    main()
