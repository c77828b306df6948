"""`make chaos`: the pipeline under faults, fed at a steady rate, with what it lost, doubled and stalled.

A stack like `make run`'s (ingest with 2 server processes, 2 extract workers, 1 store worker) runs on
its own namespace and database. A feeder posts unique corpus articles at `--rate` per second, one per
request, as a well-behaved client does: a 503 is retried after a short pause (ingest's ids are
deterministic, so a retry never makes a second article), and every answer is counted. A restart policy
plays the orchestrator's part (compose's `restart:`, a Deployment): a worker that died is started
again. Nothing else intervenes: no offset is moved and no message is skipped by hand.

Faults, in turn (`--faults` picks some), each followed by the wait until every accepted article is
stored ("recovered without operator" when that happens within `--recovery-timeout`):

    kill_extract      kill -9 of an extract worker (its NLP processes must not outlive it)
    kill_store        kill -9 of the store worker
    postgres_down     PostgreSQL stopped for 30 s, then started again
    broker_restart    the Kafka broker stopped for 15 s (past ingest's publish timeout), then started again
    max_article       the largest article ingest accepts
    nul_raw           a RawArticle with U+0000 produced straight onto the raw topic (dead-lettered)
    malformed_raw     50 malformed raw messages (dead-lettered)
    body_20mb         a 20 MB request body (refused with 413)

The stall of a fault is the longest time, between the end of the fault (at once for a kill; once the
server is back for an outage, whose length is reported apart) and the catch-up, during which articles
were waiting and none was stored. At the end the feeder stops, the pipeline drains, the stack
is stopped as `make stop` does, and the processes it started that are still alive are counted as
orphans. The report is a table, then one JSON line (the last line of the output).

`doubled` counts stored articles beyond one per accepted id (every table has a natural primary key,
so a duplicate can only come from ingest giving a retried article a new id); `lost` counts accepted ids
never stored; `http_5xx` counts 5xx answers other than 503 (a 503 is the documented "Kafka is down,
retry" and is reported apart).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import httpx
import psutil
import psycopg
from kafka import KafkaProducer

from bench.corpus import article, largest_accepted_text, paragraph_pool
from bench.stack import Stack, StackError, drop_database, fresh_database, plain_dsn
from services.contracts.budget import RAW_ARTICLE_BYTES, RAW_TOPIC_BYTES
from services.contracts.headers import make_headers
from services.contracts.models import RAW_ARTICLE_SCHEMA, RawArticle
from services.ingest.outgoing import MESSAGE_OVERHEAD_BYTES

ROOT: Final = Path(__file__).resolve().parent.parent
ALL_FAULTS: Final = (
    "kill_extract",
    "kill_store",
    "postgres_down",
    "broker_restart",
    "max_article",
    "nul_raw",
    "malformed_raw",
    "body_20mb",
)
INFRA_FAULTS: Final = frozenset({"postgres_down", "broker_restart"})
SOURCE: Final = "chaos"
BROKER_DOWN_S: Final = 15.0
SETTLE_S: Final = 15.0  # past a worker's session timeout, so a fault's stall has shown before "caught up"
LATENCY_S: Final = 5.0  # an article accepted longer ago than this is overdue


def log(message: str) -> None:
    print(f"chaos: {message}", file=sys.stderr, flush=True)


@dataclass
class Ledger:
    """What the feeder sent and what ingest answered, shared by the threads (guarded by `lock`)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    sent: int = 0
    accepted: dict[str, float] = field(default_factory=dict)  # id -> when first accepted (monotonic)
    answers: collections.Counter[int] = field(default_factory=collections.Counter)
    errors: collections.Counter[str] = field(default_factory=collections.Counter)

    def accept(self, ids: list[str]) -> None:
        now = time.monotonic()
        with self.lock:
            for article_id in ids:
                self.accepted.setdefault(article_id, now)

    def answer(self, status: int) -> None:
        with self.lock:
            self.answers[status] += 1


@dataclass
class FaultResult:
    name: str
    detail: str
    outage_s: float
    max_stall_s: float
    recovered: bool
    recovery_s: float


class Chaos:
    """One run: the stack, the feeder, the restart policy, the progress samples and the faults."""

    def __init__(self, stack: Stack, *, rate: float, recovery_timeout_s: float, infra: Infra | None) -> None:
        self.stack = stack
        self.rate = rate
        self.recovery_timeout_s = recovery_timeout_s
        self.infra = infra
        self.ledger = Ledger()
        self.samples: list[tuple[float, int, int]] = []  # (monotonic time, stored, accepted)
        self.stopping = threading.Event()
        self.feeding = threading.Event()
        self.services: dict[str, Callable[[], None]] = {}
        self.restarts: collections.Counter[str] = collections.Counter()
        self.raw_offsets: list[
            tuple[int, int]
        ] = []  # (partition, offset) of messages meant to be dead letters
        self.pool = paragraph_pool()

    # --- the stack and its restart policy -------------------------------------------------------------

    def start(self) -> None:
        self.stack.create_topics()
        self.services = {
            "ingest": self.stack.start_ingest,
            "extract-1": lambda: self.stack.start_extract(1),
            "extract-2": lambda: self.stack.start_extract(2),
            "store": self.stack.start_store,
        }
        for start in self.services.values():
            start()
        for target in (self._restart_policy, self._feed, self._sample):
            threading.Thread(target=target, daemon=True).start()

    def _restart_policy(self) -> None:
        while not self.stopping.wait(0.5):
            for name, start in self.services.items():
                process = self.stack.processes.get(name)
                if process is not None and process.poll() is None:
                    continue
                self.restarts[name] += 1
                log(f"{name} is not running: starting it again (restart policy)")
                try:
                    start()
                except StackError as exc:
                    log(f"{name} did not come back yet: {str(exc).splitlines()[0]}")

    # --- the client -----------------------------------------------------------------------------------

    def _feed(self) -> None:
        index = 0
        with httpx.Client(base_url=self.stack.ingest_url, timeout=30) as client:
            while not self.stopping.is_set():
                if not self.feeding.wait(0.2):
                    continue
                started = time.monotonic()
                record = {**article(index, self.pool, prefix="chaos").as_record(), "source": SOURCE}
                with self.ledger.lock:
                    self.ledger.sent += 1
                self._post_until_answered(client, record)
                index += 1
                time.sleep(max(0.0, 1 / self.rate - (time.monotonic() - started)))

    def _post_until_answered(self, client: httpx.Client, record: dict[str, str]) -> None:
        while not self.stopping.is_set():
            try:
                response = client.post("/v1/articles", json=record)
            except httpx.HTTPError as exc:
                self.ledger.errors[type(exc).__name__] += 1
                time.sleep(0.5)
                continue
            self.ledger.answer(response.status_code)
            if response.status_code == 202:
                self.ledger.accept(response.json()["article_ids"])
                return
            if response.status_code >= 500:  # 503: Kafka is down, retry after a pause; others too
                time.sleep(0.5)
                continue
            log(f"article refused with {response.status_code}: {response.text[:200]}")
            return

    # --- progress ---------------------------------------------------------------------------------------

    def stored_ids(self) -> set[str]:
        with self.ledger.lock:
            accepted = list(self.ledger.accepted)
        try:
            with psycopg.connect(plain_dsn(self.stack.database_url), connect_timeout=2) as conn:
                rows = conn.execute("SELECT article_id FROM articles WHERE article_id = ANY(%s)", [accepted])
                return {row[0] for row in rows}
        except psycopg.OperationalError:  # Postgres is down on purpose
            return set()

    def _sample(self) -> None:
        while not self.stopping.wait(0.5):
            stored = self.stored_ids()
            with self.ledger.lock:
                accepted = len(self.ledger.accepted)
            if stored or not self.samples:
                self.samples.append((time.monotonic(), len(stored), accepted))

    def wait_caught_up(self, since: float) -> tuple[bool, float]:
        """Wait until the pipeline is caught up: at least `SETTLE_S` after `since`, every article
        accepted more than `LATENCY_S` ago is stored. Returns (in time, seconds since `since`)."""
        while time.monotonic() - since < self.recovery_timeout_s:
            now = time.monotonic()
            if now - since >= SETTLE_S:
                with self.ledger.lock:
                    due = {i for i, at in self.ledger.accepted.items() if at < now - LATENCY_S}
                if due and due <= self.stored_ids():
                    return True, now - since
            time.sleep(0.5)
        return False, time.monotonic() - since

    def max_stall(self, start: float, end: float) -> float:
        """The longest wait between two observed stores within [start, end] while articles were
        pending (samples every 0.5 s, so 0.5 s is the floor)."""
        last_progress, previous, stall = start, None, 0.0
        for at, stored, accepted in self.samples:
            if at < start:
                previous = stored
                continue
            if at > end:
                break
            if previous is None or stored > previous:
                stall = max(stall, at - last_progress)
                last_progress = at
            elif accepted > stored:
                stall = max(stall, at - last_progress)
            previous = stored
        return round(stall, 1)

    # --- faults -------------------------------------------------------------------------------------------

    def run_fault(self, name: str) -> FaultResult:
        started = time.monotonic()
        detail = getattr(self, f"_fault_{name}")()
        restored = time.monotonic()  # a kill returns at once; an outage once the server is back
        recovered, waited = self.wait_caught_up(started)
        if name in ("nul_raw", "malformed_raw"):
            recovered = recovered and self._dead_lettered_all()
        result = FaultResult(
            name,
            detail,
            round(restored - started, 1),
            self.max_stall(restored, time.monotonic()),
            recovered,
            round(waited, 1),
        )
        log(f"{name}: {detail}; recovered={recovered} in {waited:.1f} s")
        return result

    def _kill(self, name: str) -> str:
        pid = self.stack.processes[name].pid
        os.kill(pid, signal.SIGKILL)
        return f"kill -9 {name} (pid {pid})"

    def _fault_kill_extract(self) -> str:
        return self._kill("extract-1")

    def _fault_kill_store(self) -> str:
        return self._kill("store")

    def _fault_postgres_down(self) -> str:
        assert self.infra is not None
        self.infra.stop_postgres()
        time.sleep(30)
        self.infra.up()
        return "PostgreSQL stopped 30 s"

    def _fault_broker_restart(self) -> str:
        assert self.infra is not None
        down = time.monotonic()
        self.infra.stop_kafka()
        # Longer than ingest's publish timeout (10 s), so batches expire in its producers.
        time.sleep(BROKER_DOWN_S)
        self.infra.up()
        return f"broker stopped, started again after {time.monotonic() - down:.0f} s"

    def _fault_max_article(self) -> str:
        text = largest_accepted_text(self.pool, RAW_ARTICLE_BYTES - MESSAGE_OVERHEAD_BYTES)
        record = {
            "text": text,
            "external_id": f"largest-{uuid.uuid4().hex[:8]}",
            "source": SOURCE,
            "lang": "fr",
        }
        with self.ledger.lock:
            self.ledger.sent += 1
        with httpx.Client(base_url=self.stack.ingest_url, timeout=60) as client:
            self._post_until_answered(client, record)
        return f"a {len(text.encode())}-byte text, the largest ingest accepts"

    def _fault_nul_raw(self) -> str:
        valid = RawArticle(
            article_id=f"nul-{uuid.uuid4().hex}",
            source=SOURCE,
            text="Texte. " * 50,
            ingested_at=datetime.now(UTC),
        )
        value = valid.model_dump_json().replace('"text":"', '"text":"\\u0000', 1).encode()
        self._produce_raw([(valid.article_id.encode(), value)])
        return "a RawArticle with U+0000 produced straight onto the raw topic"

    def _fault_malformed_raw(self) -> str:
        values = [f'{{"article_id": "bad-{i}", "text": '.encode() for i in range(50)]
        self._produce_raw([(f"bad-{i}".encode(), value) for i, value in enumerate(values)])
        return "50 malformed raw messages"

    def _fault_body_20mb(self) -> str:
        body = b'{"text": "' + b"a" * (20 * 1024 * 1024) + b'"}'
        with self.ledger.lock:
            self.ledger.sent += 1
        response = httpx.post(
            f"{self.stack.ingest_url}/v1/articles",
            content=body,
            headers={"Content-Type": "application/json"},
            timeout=60,
        )
        self.ledger.answer(response.status_code)
        return f"a 20 MB body answered {response.status_code}"

    def _produce_raw(self, messages: list[tuple[bytes, bytes]]) -> None:
        producer = KafkaProducer(
            bootstrap_servers=self.stack.kafka_bootstrap, acks="all", max_request_size=RAW_TOPIC_BYTES
        )
        try:
            for key, value in messages:
                meta = producer.send(
                    self.stack.topics.raw,
                    key=key,
                    value=value,
                    headers=make_headers(RAW_ARTICLE_SCHEMA, datetime.now(UTC)),
                ).get(timeout=30)
                self.raw_offsets.append((meta.partition, meta.offset))
        finally:
            producer.close()

    def _dead_lettered_all(self) -> bool:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = {
                (letter.partition, letter.offset)
                for letter in self.stack.dead_letters()
                if letter.topic == self.stack.topics.raw
            }
            if set(self.raw_offsets) <= found:
                return True
            time.sleep(1)
        return False

    # --- the end ----------------------------------------------------------------------------------------

    def finish(self) -> dict[str, Any]:
        self.feeding.clear()
        caught_up, _ = self.wait_caught_up(time.monotonic())
        stored = self.stored_ids()
        with psycopg.connect(plain_dsn(self.stack.database_url)) as conn:
            row = conn.execute("SELECT count(*) FROM articles WHERE source = %s", [SOURCE]).fetchone()
        rows = int(row[0]) if row else 0
        self.stopping.set()
        letters = self.stack.dead_letters()
        marker = self.stack.prefix
        candidates = _processes_of(marker)
        self.stack.stop_all()
        _, alive = psutil.wait_procs([p for p in candidates if _alive(p)], timeout=15)
        orphans = [p for p in alive if _alive(p)]
        for process in orphans:
            log(f"orphan: pid {process.pid} {process.name()}")
        with self.ledger.lock:
            accepted = set(self.ledger.accepted)
            answers = dict(self.ledger.answers)
            sent = self.ledger.sent
        dead: collections.Counter[str] = collections.Counter(
            f"{letter.stage}:{letter.reason.split(':')[0]}" for letter in letters
        )
        return {
            "sent": sent,
            "accepted": len(accepted),
            "stored": len(stored & accepted),
            "lost": len(accepted - stored),
            "doubled": max(0, rows - len(stored)),
            "dead_lettered": dict(sorted(dead.items())),
            "orphan_processes": len(orphans),
            "http_5xx": sum(count for status, count in answers.items() if status >= 500 and status != 503),
            "http_503": answers.get(503, 0),
            "answers": {str(status): count for status, count in sorted(answers.items())},
            "restarts": dict(self.restarts),
            "drained": caught_up,
        }


def _alive(process: psutil.Process) -> bool:
    """Whether `process` still runs (a zombie does not: it only waits for its parent to reap it)."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:  # gone between the two questions
        return False


def _processes_of(marker: str) -> list[psutil.Process]:
    """Live processes whose environment carries the stack's topic prefix: every service the stack
    started and everything they started in turn (children inherit the environment)."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.pid != os.getpid() and marker in process.environ().get(
                "NEWSWIRE_STORE_TOPIC_PREFIX", ""
            ):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


@dataclass(frozen=True)
class Infra:
    """Stops and starts the chaos profile's own Kafka and PostgreSQL (scripts/infra.sh)."""

    state_dir: Path

    def stop_postgres(self) -> None:
        data = (self.state_dir / "postgres").resolve() / "data" / "postmaster.pid"
        pid = int(data.read_text().splitlines()[0])
        os.kill(pid, signal.SIGINT)  # fast shutdown: clients are disconnected at once
        psutil.wait_procs([psutil.Process(pid)], timeout=60)

    def stop_kafka(self) -> None:
        pid = int((self.state_dir / "kafka" / "kafka.pid").read_text().strip())
        os.kill(pid, signal.SIGTERM)
        psutil.wait_procs([psutil.Process(pid)], timeout=60)

    def up(self) -> None:
        subprocess.run([str(ROOT / "scripts" / "infra.sh"), "up"], check=True, stdout=subprocess.DEVNULL)


def run(
    kafka_bootstrap: str,
    database_url: str,
    owner_url: str,
    workdir: Path,
    *,
    faults: list[str],
    rate: float,
    warmup_s: float,
    recovery_timeout_s: float,
    infra: Infra | None,
) -> tuple[list[FaultResult], dict[str, Any]]:
    """Run the faults against a fresh stack; returns each fault's result and the totals."""
    name = f"chaos_{uuid.uuid4().hex[:10]}"
    url = fresh_database(owner_url, database_url, name)
    stack = Stack(kafka_bootstrap, url, f"{name}.", workdir, partitions=4, ingest_workers=2)
    chaos = Chaos(stack, rate=rate, recovery_timeout_s=recovery_timeout_s, infra=infra)
    try:
        chaos.start()
        chaos.feeding.set()
        time.sleep(warmup_s)
        results = [chaos.run_fault(fault) for fault in faults]
        return results, chaos.finish()
    finally:
        chaos.stopping.set()
        stack.stop_all()
        drop_database(owner_url, url)


def report(results: list[FaultResult], totals: dict[str, Any], seconds: float) -> str:
    lines = [
        f"newswire chaos  {datetime.now(UTC).isoformat(timespec='seconds')}  {seconds:.0f} s",
        "",
        f"{'fault':<16}{'outage s':>9}{'max stall s':>12}{'recovered':>11}{'caught up s':>13}  what",
    ]
    for result in results:
        lines.append(
            f"{result.name:<16}{result.outage_s:>9.1f}{result.max_stall_s:>12.1f}"
            f"{str(result.recovered).lower():>11}{result.recovery_s:>13.1f}  {result.detail}"
        )
    lines += [
        "",
        f"sent {totals['sent']}  accepted {totals['accepted']}  stored {totals['stored']}  "
        f"lost {totals['lost']}  doubled {totals['doubled']}  orphans {totals['orphan_processes']}  "
        f"http 5xx {totals['http_5xx']} (503 {totals['http_503']})",
        f"dead letters: {totals['dead_lettered']}",
        f"answers: {totals['answers']}  restarts by the policy: {totals['restarts']}",
    ]
    summary = {
        **{key: totals[key] for key in ("sent", "accepted", "stored", "lost", "doubled", "dead_lettered")},
        "max_stall_s": {r.name: r.max_stall_s for r in results},
        "orphan_processes": totals["orphan_processes"],
        "http_5xx": totals["http_5xx"],
        "recovered_without_operator": {r.name: r.recovered for r in results},
    }
    return "\n".join(lines) + "\n" + json.dumps(summary, sort_keys=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make chaos", description=__doc__)
    parser.add_argument("--faults", default=",".join(ALL_FAULTS), help="comma-separated, in order")
    parser.add_argument("--rate", type=float, default=4.0, help="articles posted per second")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of steady feed before the faults")
    parser.add_argument("--recovery-timeout", type=float, default=180.0)
    args = parser.parse_args(argv)
    faults = [f for f in args.faults.split(",") if f]
    unknown = sorted(set(faults) - set(ALL_FAULTS))
    if unknown:
        parser.error(f"unknown faults {unknown}; known: {', '.join(ALL_FAULTS)}")
    state_dir = Path(os.environ["NEWSWIRE_STATE_DIR"])
    started = time.monotonic()
    results, totals = run(
        os.environ["KAFKA_BOOTSTRAP_SERVERS"],
        os.environ["DATABASE_URL"],
        os.environ["NEWSWIRE_DB_OWNER_URL"],
        state_dir / "chaos-run",
        faults=faults,
        rate=args.rate,
        warmup_s=args.warmup,
        recovery_timeout_s=args.recovery_timeout,
        infra=Infra(state_dir),
    )
    print(report(results, totals, time.monotonic() - started), flush=True)
    failed = (
        totals["lost"] or totals["doubled"] or totals["orphan_processes"] or totals["http_5xx"]
        or not all(r.recovered for r in results)
    )  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
