"""Real processes for the fault tests: a Redis of our own, Celery workers and PostgreSQL clusters we may kill.

The fault tests stop, kill and restart things, so nothing they touch may be shared: the session's
in-thread worker (tests/conftest.py) consumes the shared test queue and would take our tasks, and
other engineers' tests use the shared Redis and PostgreSQL. Each test gets a redis-server of its
own on a free port; workers are separate `celery worker` processes (a SIGKILL must kill a real
process, not a thread of pytest); PostgreSQL is restarted only in a throwaway cluster.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection

BASE_DIR = Path(django_settings.BASE_DIR)
VENV_BIN = Path(sys.executable).parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")


@pytest.fixture(autouse=True)
def second_factor_not_required(settings):
    """Sessions made with force_login carry no second factor; what is tested here is not sign-in."""
    settings.TWO_FACTOR_REQUIRED_ROLES = []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], object], *, timeout: float, what: str, every: float = 0.05) -> object:
    """Poll until `condition()` is truthy: these tests wait on other processes, whose clocks we cannot freeze."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def stop_process(process: subprocess.Popen, *, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Stop one process we started, by its own pid; a process that ignores the signal is killed."""
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


# --- Redis ----------------------------------------------------------------------------------------

@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=5)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=10, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    server = RedisServer(port=free_port())
    server.start()
    yield server
    server.stop()


@contextlib.contextmanager
def celery_app_broker(url: str) -> Iterator[None]:
    """Point the project's Celery app (what delay_on_commit sends through) at another broker for a while.

    The app read CELERY_BROKER_URL once, at configuration, so overriding the Django setting would not
    reach it; its connection and producer pools are dropped so the next send connects afresh, exactly
    as the app itself does after a fork.
    """
    from celery import current_app

    from config.celery import app

    # Shared tasks send through whichever app is current: make sure it is the project's.
    previous = current_app._get_current_object()
    app.set_current()
    saved = app.conf.broker_url
    app.conf.broker_url = url
    _drop_pools(app)
    try:
        yield
    finally:
        app.conf.broker_url = saved
        _drop_pools(app)
        previous.set_current()


def _drop_pools(app) -> None:
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    # kombu keeps producer pools in a global registry keyed by connection: a pool closed above would
    # be handed back for the same broker URL later (to the next test module: "Acquire on closed pool").
    pools.reset()


# --- the test database, as other processes reach it ---------------------------------------------

def database_url(**override) -> str:
    """A postgis:// URL of the test database, or of another on the same server (NAME=...), for other processes."""
    info = {**connection.settings_dict, **override}
    user = urllib.parse.quote(info["USER"] or "", safe="")
    password = urllib.parse.quote(info["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = info["HOST"] or "127.0.0.1"
    port = info["PORT"] or 5432
    return f"postgis://{credentials}{host}:{port}/{info['NAME']}"


def service_env(*, database: str, redis_url: str, var_dir: Path, media_root: Path, **extra: str) -> dict[str, str]:
    """The environment a worker or web process of the service is started with, in production mode."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_"))}
    env.update({
        "DATABASE_URL": database, "REDIS_URL": redis_url, "VAR_DIR": str(var_dir), "MEDIA_ROOT": str(media_root),
        "DEBUG": "false", "SECURE_SSL_REDIRECT": "false",
        "SECRET_KEY": django_settings.SECRET_KEY,
        "EVIDENCE_SIGNING_KEY_FILE": str(django_settings.EVIDENCE_SIGNING_KEY_FILE),
        "EVIDENCE_BUNDLE_WORK_DIR": str(django_settings.EVIDENCE_BUNDLE_WORK_DIR),
        "STATIC_ROOT": str(django_settings.STATIC_ROOT),  # collected once by bin/test; pages need its manifest
        "PYTHONUNBUFFERED": "1",
        **extra,
    })
    return env


# --- Celery workers as processes ------------------------------------------------------------------

@dataclass
class WorkerProcess:
    name: str
    process: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def task_lines(self, task_name: str, word: str) -> list[str]:
        """The worker's log lines about `task_name` that say `word` ("received", "succeeded")."""
        return [line for line in self.log_text().splitlines() if f"{task_name}[" in line and word in line]

    def pool_children(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []


@dataclass
class Workers:
    """Starts `celery worker` processes with a given environment; stops whatever is left at teardown."""

    folder: Path
    started: list[WorkerProcess] = field(default_factory=list)

    def start(self, env: dict[str, str], *, pool: str = "solo") -> WorkerProcess:
        name = f"ops-{uuid.uuid4().hex[:8]}@faults"
        log = self.folder / f"{name.split('@')[0]}.log"
        command = [str(VENV_BIN / "celery"), "-A", "config", "worker", "-P", pool, "-c", "1", "-n", name,
                   "-l", "info", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        with log.open("wb") as out:
            process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
        worker = WorkerProcess(name=name, process=process, log=log)
        self.started.append(worker)
        try:
            wait_for(lambda: " ready." in worker.log_text() or process.poll() is not None, timeout=60,
                     what=f"worker {name} to be ready")
        except AssertionError:
            raise AssertionError(f"worker {name} did not start:\n{worker.log_text()[-3000:]}") from None
        if process.poll() is not None:
            raise AssertionError(f"worker {name} exited with {process.returncode}:\n{worker.log_text()[-3000:]}")
        return worker

    def stop_all(self) -> None:
        for worker in self.started:
            for child in worker.pool_children() if worker.process.poll() is None else []:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child, signal.SIGKILL)
            stop_process(worker.process, sig=signal.SIGQUIT)  # a cold shutdown: nothing is left to finish


@pytest.fixture
def workers(tmp_path) -> Iterator[Workers]:
    folder = tmp_path / "worker-logs"
    folder.mkdir()
    manager = Workers(folder=folder)
    yield manager
    manager.stop_all()


def unacked_deliveries(server: RedisServer) -> dict[bytes, float]:
    """Messages a worker took but has not acknowledged: kombu's Redis ack emulation, tag -> delivery time."""
    return {tag: score for tag, score in server.client().zrange("unacked_index", 0, -1, withscores=True)}


def queued_messages(server: RedisServer, queue: str = "celery") -> int:
    return server.client().llen(queue)


# --- a throwaway PostgreSQL cluster ------------------------------------------------------------------

@dataclass
class ThrowawayCluster:
    """An initdb'd PostgreSQL 15 of our own on a free port: ours to restart, never the shared one."""

    data_dir: Path
    port: int
    log: Path

    def _run(self, *command: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        # initdb and postgres refuse to run as root; as root, run them as the postgres user.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*prefix, *command], check=check, capture_output=True, text=True, timeout=timeout)

    def create(self) -> None:
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.data_dir.parent, "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data_dir), "-A", "trust", "-U", "postgres",
                  "--no-sync", "-E", "UTF8", "--locale", "C")
        self.start()

    def pg_ctl(self, action: str, *options: str) -> None:
        socket_dir = str(self.data_dir.parent)
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log), "-w", "-t", "60",
                  "-o", f"-p {self.port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off",
                  *options, action)

    def start(self) -> None:
        self.pg_ctl("start")

    def restart(self) -> None:
        self.pg_ctl("restart", "-m", "fast")

    def destroy(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgis://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, database: str, sql: str) -> str:
        result = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-h", "127.0.0.1", "-p",
                                 str(self.port), "-U", "postgres", "-d", database, "-c", sql],
                                check=True, capture_output=True, text=True, timeout=120)
        return result.stdout


@pytest.fixture
def throwaway_cluster() -> Iterator[ThrowawayCluster]:
    # Under /tmp rather than tmp_path: the postgres user must be able to reach it.
    root = Path("/tmp") / f"vale-ops-pg-{uuid.uuid4().hex[:8]}"
    cluster = ThrowawayCluster(data_dir=root / "data", port=free_port(), log=root / "postgres.log")
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.destroy()
