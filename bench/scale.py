"""Scale benchmark of the live module: N joined participants on real sockets, against a bare `websockets` floor.

    python bench/scale.py --clients 200 500 1000 2000 --config embedded --events-per-second 10 --seconds 20

`--config`: `embedded` (SQLite + in-memory layer, one daphne), `redis1` / `redis2` (PostgreSQL + Redis,
one or two daphne processes; clients are split across the two ports). For each N (and `--repeat`),
on a fresh session and freshly started server process(es):

1. joins N walk-in participants through the real HTTP join form (GET for the CSRF cookie, POST with
   Origin/Referer), from `--procs` load-generator processes, each an asyncio loop of `websockets`
   clients; source addresses 127.0.0.2, .3, ... take `--joins-per-address` joins each, so the
   per-address join limit (deliberation/throttle.py) applies exactly as in production;
2. opens the N sockets at once, or spread over `--connect-seconds` (handshake p50/p95; refused at the first
   attempt, after which a client retries with the browser client's backoff);
3. broadcast: sender participants submit proposals at R/s for T s; every client records
   receive time - send time (time.monotonic_ns, one clock for every process on Linux), keeps a cursor
   as the browser client does (a participant is sent public events only, each with `prev`), sends `sync`
   on a gap or a `resync` frame and once more at the end if anything is missing; lost = public events
   never received;
4. vote: the facilitator closes the proposal round and opens the vote round; every client casts one
   ballot at a random moment within `--vote-seconds` (a client whose socket was closed reconnects with
   its cookies first); ack latency and ballots acknowledged per second, then the ballots in the database
   are counted;
   With `--kill-one` (redis2), the second daphne is SIGKILLed halfway through the broadcast; its clients
   reconnect to the first (as a balancer would send them, with the browser's backoff) and get the state as it is
   then; lost still counts every event any client never got; the figures show how many moved and how long it took;
5. the same broadcast (same frame size, same rate, same N, same load processes) against a bare
   `websockets` server process that json-encodes each event once and `broadcast()`s it.

Server CPU (utime + stime from /proc/<pid>/stat) during each broadcast phase divided by the frames it
had to deliver, peak RSS (VmHWM) and RSS growth per connected participant come from /proc.
Every wait has a timeout and every process started here is stopped on every exit path.
"""

import argparse
import asyncio
import http.client
import json
import math
import multiprocessing
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import websockets  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402
from websockets.asyncio.server import broadcast, serve  # noqa: E402

from tests.servers import (  # noqa: E402
    DAPHNE,
    ROOT,
    free_port,
    fresh_database,
    manage,
    new_session,
    prepare,
    server_env,
    wait_healthy,
)

ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
FACILITATOR = ("facilitator", "cyd-facilitator-demo")
CONTRIBUTIONS_PER_SENDER_MINUTE = 8  # under services.CONTRIBUTIONS_PER_MINUTE (10)
CLK_TCK = os.sysconf("SC_CLK_TCK")
REQUEST_TIMEOUT = 30.0


# --- measurements -------------------------------------------------------------------------------


def pct(values, q):
    """The q-th percentile (nearest rank) of a list, or None when it is empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def cpu_seconds(pids):
    """User + system CPU seconds used so far by these processes."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
    return total / CLK_TCK


def memory_kb(pids, field):
    """Sum of a /proc/<pid>/status field (VmRSS now, VmHWM peak) in KB."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                total += int(line.split()[1])
    return total


# --- the real join flow, over plain HTTP from a chosen loopback address ------------------------------


def _cookies(response, jar):
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]


def _request(port, source, method, path, jar, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT, source_address=(source, 0))
    try:
        all_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()), **(headers or {})}
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        text = response.read()
        _cookies(response, jar)
        return response.status, text
    finally:
        conn.close()


def http_join(port, source, code, name):
    """Join a session as a walk-in through its name form; return the Cookie header for the socket."""
    jar = {}
    path = f"/en/s/{code}/"
    base = f"http://127.0.0.1:{port}"
    status, _text = _request(port, source, "GET", path, jar)
    assert status == 200, f"join form: HTTP {status}"
    body = urllib.parse.urlencode({"name": name, "csrfmiddlewaretoken": jar["csrftoken"]})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": base, "Referer": base + path}
    status, text = _request(port, source, "POST", path, jar, body, headers)
    assert status == 302, f"join: HTTP {status} {text[:200]!r}"
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def http_login(port, username, password):
    """Sign in through the public form; return the Cookie header."""
    jar = {}
    path = "/en/accounts/login/"
    base = f"http://127.0.0.1:{port}"
    _request(port, "127.0.0.1", "GET", path, jar)
    body = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": jar["csrftoken"]})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": base, "Referer": base + path}
    status, _text = _request(port, "127.0.0.1", "POST", path, jar, body, headers)
    assert status == 302, f"login: HTTP {status}"
    return "; ".join(f"{k}={v}" for k, v in jar.items())


# --- one client socket --------------------------------------------------------------------------------


def bench_id(title):
    """(id, send time ns) from a benchmark title 'bench <id> <ns>', or None."""
    parts = title.split() if isinstance(title, str) else []
    return (int(parts[1]), int(parts[2])) if len(parts) == 3 and parts[0] == "bench" else None


class Client:
    """A protocol client: keeps a cursor, syncs on gaps and `resync`, records which benchmark events arrived and when.

    As static/js/lib/live-socket.js (docs/protocol.md): a facilitator socket is sent every event (the next has
    seq = cursor + 1); a participant's only the public ones, each naming the public one before it (`prev` <= cursor,
    else a gap); an event with seq <= cursor is a duplicate. Unlike the browser client, the cursor moves past a gap
    at once and the sync replays from where the gap began (a later gap seen meanwhile is synced after it).
    """

    def __init__(self, bare=False, drop=0.0, passive=False):
        self.bare = bare
        self.passive = passive  # control sockets (facilitator, senders) never sync: they only send
        self.drop = drop  # self-check: ignore this share of live events, as if the server had dropped them
        self.ws = None
        self.target = None  # (uri, origin, cookie, source): reconnect with the same cookies
        self.facilitator = False  # this socket is sent every event (else only the public ones)
        self.last = 0  # the cursor: the highest seq applied
        self.got = set()  # benchmark ids received live or through sync
        self.live = set()  # ... live, as pushed frames
        self.latencies = []  # microseconds, live deliveries only
        self.waiters = {}
        self.n = 0
        self.gaps = self.syncs = self.snapshots = self.resyncs = 0
        self.syncing = False
        self.again = None  # a gap seen while a sync was in flight: sync again after this seq
        self.closed = None  # close code when the server closed the socket
        self.sample = None  # one proposal.submitted frame, for the bare server's frame size
        self.reader = None
        self.closing = False
        self.floor = 0  # the seq of the state received at connect

    async def open(self, uri, origin, cookie="", source="127.0.0.1"):
        """Connect; for Cyd wait for the state message. Returns (handshake, until the state message) in seconds."""
        self.target = (uri, origin, cookie, source)
        started = time.monotonic()
        headers = {"Origin": origin, **({"Cookie": cookie} if cookie else {})}
        self.ws = await connect(
            uri, additional_headers=headers, open_timeout=REQUEST_TIMEOUT, ping_interval=None, local_addr=(source, 0)
        )
        self.ws.close_timeout = 2
        handshake = time.monotonic() - started
        if not self.bare:
            try:
                state = json.loads(await asyncio.wait_for(self.ws.recv(), REQUEST_TIMEOUT))
                if state.get("type") != "state":
                    raise RuntimeError(f"first message {state.get('type')}")
            except BaseException:
                await asyncio.wait_for(self.ws.close(), 5)
                raise
            self.apply_state(state)
            self.floor = state["seq"]
        self.closed, self.closing = None, False
        self.reader = asyncio.ensure_future(self.read())
        return handshake, time.monotonic() - started

    async def read(self):
        ws = self.ws
        try:
            async for text in ws:
                self.handle(text)
        except websockets.ConnectionClosed:
            pass
        finally:
            if self.ws is ws:  # not yet replaced by a reconnect
                if not self.closing:
                    self.closed = ws.close_code or -1
                for waiter in self.waiters.values():
                    if not waiter.done():
                        waiter.set_exception(ConnectionError("closed"))

    def handle(self, text):
        received = time.monotonic_ns()
        message = json.loads(text)
        kind = message.get("type")
        if kind in ("ack", "error"):
            waiter = self.waiters.pop(message.get("ref"), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(message)
            return
        if kind == "resync":  # the server dropped events for this socket (it fell behind): catch up from the log
            self.resyncs += 1
            if not self.passive:
                self.resync(self.last)
            return
        seq = message.get("seq")
        if not isinstance(seq, int):
            return  # presence
        if self.drop and random.random() < self.drop:
            return
        if not self.bare and not self.passive and seq > self.last and not self.follows(message):
            self.gaps += 1
            self.resync(self.last)
        self.last = max(self.last, seq)
        if kind == "proposal.submitted":
            found = bench_id(message["payload"]["proposal"].get("title"))
            if found:
                if self.sample is None:
                    self.sample = text
                if found[0] not in self.live:  # pushed, even if a sync brought it first
                    self.live.add(found[0])
                    self.got.add(found[0])
                    self.latencies.append((received - found[1]) // 1000)

    def follows(self, message):
        """Whether nothing this socket is sent lies between the cursor and this (newer) event."""
        prev = message.get("prev")
        if self.facilitator or not isinstance(prev, int):
            return message["seq"] == self.last + 1
        return prev <= self.last

    async def request(self, kind, payload=None, timeout=REQUEST_TIMEOUT, ref=None, **top):
        """Send a message and wait for its one reply (ack or error)."""
        self.n += 1
        ref = ref or f"b{self.n}"
        waiter = asyncio.get_running_loop().create_future()
        waiter.add_done_callback(lambda f: f.cancelled() or f.exception())  # no "never retrieved" noise
        self.waiters[ref] = waiter
        await self.ws.send(json.dumps({"type": kind, "ref": ref, "payload": payload or {}, **top}))
        try:
            return await asyncio.wait_for(waiter, timeout)
        finally:
            self.waiters.pop(ref, None)

    def resync(self, after):
        """Ask for what was missed after `after` (one sync at a time; a gap seen meanwhile is synced next)."""
        if self.syncing:
            self.again = after if self.again is None else min(self.again, after)
            return
        self.syncing = True
        asyncio.ensure_future(self.sync(after))

    async def sync(self, after):
        try:
            while after is not None:
                self.syncs += 1
                reply = await self.request("sync", after=after)
                if reply["type"] == "ack":
                    self.apply_sync(reply["payload"])
                after, self.again = self.again, None
        except (TimeoutError, ConnectionError, websockets.ConnectionClosed):
            self.again = None
        finally:
            self.syncing = False

    def apply_state(self, state):
        """A snapshot: the cursor, which stream this socket is sent, and the benchmark proposals it holds."""
        self.last = max(self.last, state["seq"])
        self.facilitator = bool(state["payload"].get("viewer", {}).get("facilitator"))
        for proposal in state["payload"].get("proposals", []):
            found = bench_id(proposal.get("title"))
            if found:
                self.got.add(found[0])

    def apply_sync(self, payload):
        """A sync's reply: `{"events": [...], "facilitator": bool}` (this viewer's stream after `after`) or a snapshot."""
        if "snapshot" in payload:
            self.snapshots += 1
            self.apply_state(payload["snapshot"])
            return
        self.facilitator = payload.get("facilitator", self.facilitator)
        for event in payload.get("events", []):
            self.last = max(self.last, event.get("seq", 0))
            if event.get("type") == "proposal.submitted":
                found = bench_id(event["payload"]["proposal"].get("title"))
                if found:
                    self.got.add(found[0])

    async def catch_up(self, from_start):
        """Sync after the last seq applied if the server is ahead, or (from_start) after the connect-time seq."""
        try:
            if from_start:
                after = self.floor
            else:
                reply = await self.request("ping")
                if reply["type"] != "ack" or reply["payload"].get("seq", 0) <= self.last:
                    return
                after = self.last
            while self.syncing:
                await asyncio.sleep(0.05)
            self.syncing = True
            await self.sync(after)
        except (TimeoutError, ConnectionError, websockets.ConnectionClosed):
            pass

    async def close(self):
        self.closing = True
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await asyncio.wait([self.reader], timeout=5)


# --- load-generator process -------------------------------------------------------------------------------


async def ask_coordinator(conn, timeout):
    """The next command from the coordinator (None when it is gone or silent for too long)."""
    if not await asyncio.to_thread(conn.poll, timeout):
        return None
    try:
        return conn.recv()
    except EOFError:
        return None


async def gather_bounded(coros, timeout):
    """Run coroutines concurrently; results or exceptions, cancelling what is left at the timeout."""
    tasks = [asyncio.ensure_future(c) for c in coros]
    if tasks:
        await asyncio.wait(tasks, timeout=timeout)
    results = []
    for task in tasks:
        if not task.done():
            task.cancel()
            results.append(TimeoutError("timeout"))
        elif task.cancelled():
            results.append(asyncio.CancelledError())
        else:
            results.append(task.exception() or task.result())
    return results


async def drain(clients, ids, seconds, resync):
    """Wait until every client has every id (or the time is up); then one last sync for those missing some."""
    wanted = set(ids)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(not wanted <= c.got for c in clients if c.closed is None):
        await asyncio.sleep(0.1)
    live = sum(len(c.latencies) for c in clients)
    if resync:
        # As a client's periodic `ping` would: learn the latest seq and sync if behind; a client that still
        # lacks events (a sync that timed out) replays everything since it connected.
        for final in (False, True):
            missing = [c for c in clients if not wanted <= c.got and c.closed is None]
            await gather_bounded([c.catch_up(final) for c in missing], 2 * REQUEST_TIMEOUT)
    latencies = [v for c in clients for v in c.latencies]
    return {
        "latencies": latencies,
        "live": live,
        "lost": sum(len(wanted - c.got) for c in clients),
        "gaps": sum(c.gaps for c in clients),
        "syncs": sum(c.syncs for c in clients),
        "snapshots": sum(c.snapshots for c in clients),
        "resyncs": sum(c.resyncs for c in clients),
        "disconnected": sum(1 for c in clients if c.closed is not None),
        "sample": next((c.sample for c in clients if c.sample), None),
    }


async def cast(client, round_id, ranking, at_ns):
    """Cast one ballot at the given moment; (ack latency s, ack time ns, reconnected) or an error name.

    A client whose socket is closed by then reconnects with its cookies (as live-socket.js does) and casts; one that
    loses its socket while waiting for the ack reconnects and sends the same ref again (the server records it once).
    """
    await asyncio.sleep(max(0.0, (at_ns - time.monotonic_ns()) / 1e9))
    ref, reconnected = f"vote-{secrets.token_hex(4)}", False
    started = time.monotonic_ns()
    for attempt in range(3):
        if client.closed is not None:
            if attempt == 2:
                return "closed"
            reconnected = True
            try:
                await open_with_retry(client, client.target, 0, time.monotonic() + 60, [])
            except (OSError, TimeoutError, websockets.WebSocketException, RuntimeError) as error:
                return f"reconnect {type(error).__name__}"
            started = time.monotonic_ns()
        try:
            reply = await client.request("ballot.cast", {"round": round_id, "ranking": ranking}, timeout=60, ref=ref)
        except (ConnectionError, websockets.ConnectionClosed):
            client.closed = client.closed or -1
            continue
        except TimeoutError as error:
            return type(error).__name__
        if reply["type"] != "ack":
            return reply.get("code", "error")
        done = time.monotonic_ns()
        return ((done - started) / 1e9, done, reconnected)
    return "closed"


async def load_main(conn):
    """Obey the coordinator's commands until told to exit (or it goes silent)."""
    clients, cookies = [], []
    pool = ThreadPoolExecutor(max_workers=8)
    try:
        while True:
            command = await ask_coordinator(conn, 900)
            if command is None or command[0] == "exit":
                return
            kind, spec = command
            try:
                reply = await LOAD_COMMANDS[kind](spec, clients, cookies, pool)
            except Exception:  # noqa: BLE001 - report, never hang the coordinator
                reply = {"error": traceback.format_exc()}
            conn.send(reply)
    finally:
        await gather_bounded([c.close() for c in clients], 10)
        pool.shutdown(wait=False, cancel_futures=True)


async def cmd_join(spec, clients, cookies, pool):
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    jobs = [
        loop.run_in_executor(pool, http_join, port, source, spec["code"], f"Bench {index}")
        for index, port, source in spec["clients"]
    ]
    results = await gather_bounded(jobs, spec["timeout"])
    cookies[:] = [(r if isinstance(r, str) else None) for r in results]
    failed = [repr(r)[:200] for r in results if not isinstance(r, str)]
    return {"seconds": time.monotonic() - started, "failed": len(failed), "why": failed[:3]}


async def cmd_connect(spec, clients, cookies, pool):
    bare = spec.get("bare", False)
    for c in clients:
        await c.close()
    clients[:] = []
    opens, first_errors = [], []
    window = spec.get("window", 0)
    deadline = time.monotonic() + window + spec["timeout"]
    for n, (_index, port, source) in enumerate(spec["clients"]):
        if not bare and cookies[n] is None:
            continue
        client = Client(bare=bare, drop=spec.get("drop", 0.0))
        clients.append(client)
        uri = f"ws://127.0.0.1:{port}/" if bare else f"ws://127.0.0.1:{port}/ws/sessions/{spec['code']}/"
        cookie = "" if bare else cookies[n]
        target = (uri, f"http://127.0.0.1:{port}", cookie, source)
        opens.append(open_with_retry(client, target, random.random() * window, deadline, first_errors))
    results = await gather_bounded(opens, window + spec["timeout"] + 5)
    opened = [r for r in results if isinstance(r, tuple)]
    clients[:] = [c for c, r in zip(clients, results, strict=True) if isinstance(r, tuple)]
    return {
        "handshakes": [r[0] for r in opened],
        "states": [r[1] for r in opened],
        "refused": len(first_errors),
        "unconnected": len(results) - len(opened),
        "why": [repr(r)[:200] for r in first_errors[:3]],
    }


async def open_with_retry(client, target, delay, deadline, first_errors):
    """Open a socket; when refused, retry with live-socket.js's backoff (1, 2, 4 ... 30 s, jittered) until the deadline.

    Returns the successful attempt's (handshake, state) seconds; the first failure of each client is kept.
    """
    await asyncio.sleep(delay)
    attempt = 0
    while True:
        try:
            return await client.open(*target)
        except (OSError, TimeoutError, websockets.WebSocketException, RuntimeError) as error:
            if attempt == 0:
                first_errors.append(error)
            delay = min(30, 2**attempt) * (0.5 + random.random() / 2)
            attempt += 1
            if time.monotonic() + delay > deadline:
                raise
            await asyncio.sleep(delay)


async def cmd_drain(spec, clients, cookies, pool):
    moved = await failover(clients, spec["failover"], spec["seconds"]) if spec.get("failover") else {}
    return await drain(clients, spec["ids"], spec["seconds"], resync=spec["resync"]) | moved


async def failover(clients, ports, seconds):
    """Reconnect the clients the killed server dropped to the one left (as a balancer would send them), with the
    browser's backoff; they get the state as it is now and carry on."""
    dead, alive = f":{ports['from']}", f":{ports['to']}"
    moved = [c for c in clients if c.closed is not None and dead + "/" in c.target[0]]

    async def move(client):
        uri, origin, cookie, source = client.target
        target = (uri.replace(dead + "/", alive + "/"), origin.replace(dead, alive), cookie, source)
        return await open_with_retry(client, target, random.random() * 2, time.monotonic() + seconds, [])

    started = time.monotonic()
    results = await gather_bounded([move(c) for c in moved], seconds + 10)
    return {
        "moved": len(moved),
        "moved_failed": sum(1 for r in results if not isinstance(r, tuple)),
        "moved_s": time.monotonic() - started,
    }


async def cmd_vote(spec, clients, cookies, pool):
    window = spec["window"] * 1e9
    closed = sum(1 for c in clients if c.closed is not None)  # these reconnect to cast
    casts = [cast(c, spec["round"], spec["ranking"], spec["start_ns"] + int(random.random() * window)) for c in clients]
    results = await gather_bounded(casts, spec["window"] + 150)
    acks = [r for r in results if isinstance(r, tuple)]
    errors = {}
    for r in results:
        if not isinstance(r, tuple):
            errors[str(r)] = errors.get(str(r), 0) + 1
    return {
        "latencies": [a[0] for a in acks],
        "done_ns": [a[1] for a in acks],
        "reconnected": sum(a[2] for a in acks),
        "closed_before": closed,
        "errors": errors,
    }


async def cmd_close(spec, clients, cookies, pool):
    await gather_bounded([c.close() for c in clients], 15)
    clients[:] = []
    return {}


LOAD_COMMANDS = {"join": cmd_join, "connect": cmd_connect, "drain": cmd_drain, "vote": cmd_vote, "close": cmd_close}


def load_process(conn):
    """Entry point of a load-generator process."""
    asyncio.run(load_main(conn))


# --- the bare websockets server ----------------------------------------------------------------------------


def bare_process(conn):
    """A bare `websockets` server: `/publish` frames get a seq, are encoded once and broadcast to every other socket."""

    async def main():
        sockets = set()
        seq = 0

        async def handler(ws):
            nonlocal seq
            if ws.request.path == "/publish":
                async for text in ws:
                    seq += 1
                    message = json.loads(text)
                    message["seq"] = seq
                    broadcast(sockets, json.dumps(message))
                return
            sockets.add(ws)
            try:
                await ws.wait_closed()
            finally:
                sockets.discard(ws)

        async with serve(handler, "127.0.0.1", 0, ping_interval=None, backlog=4096, max_size=16384) as server:
            conn.send(server.sockets[0].getsockname()[1])
            await asyncio.to_thread(conn.recv)  # until told to stop (or the pipe closes)

    try:
        asyncio.run(main())
    except EOFError:
        pass


# --- servers -----------------------------------------------------------------------------------------------------


def make_run_daphne():
    """daphne's limits (list of flags) and listen backlog exactly as `make run` starts it, read from the Makefile."""
    text = (ROOT / "Makefile").read_text()
    limits = re.search(r"^DAPHNE_LIMITS := (.+)$", text, re.MULTILINE)
    backlog = re.search(r"^DAPHNE_ENDPOINT := tcp:.*:backlog=(\d+)$", text, re.MULTILINE)
    if not limits or not backlog:
        raise RuntimeError("the Makefile's DAPHNE_LIMITS / DAPHNE_ENDPOINT (with backlog=N) are not where expected")
    return limits.group(1).split(), int(backlog.group(1))


@contextmanager
def daphnes(env, count, backlog):
    """`count` daphne processes on free ports, started as `make run` does with this listen backlog (no cyd_worker:
    nothing here is timed); yields [(port, Popen)]."""
    limits, _backlog = make_run_daphne()
    started = []
    log = tempfile.NamedTemporaryFile(prefix="scale-daphne-", suffix=".log", delete=False)
    try:
        for _ in range(count):
            port = free_port()
            endpoint = f"tcp:port={port}:interface=127.0.0.1:backlog={backlog}"
            command = [DAPHNE, *limits, "-e", endpoint, "config.asgi:application"]
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            started.append((port, process))
        for port, process in started:
            wait_healthy(f"http://127.0.0.1:{port}", process, log.name)
        yield started
    finally:
        for _port, process in started:
            if process.poll() is None:
                process.terminate()
        for _port, process in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@contextmanager
def processes(target, count):
    """`count` child processes running `target(conn)`; yields their pipes; always stopped."""
    context = multiprocessing.get_context("spawn")
    children = []
    try:
        for _ in range(count):
            mine, theirs = context.Pipe()
            child = context.Process(target=target, args=(theirs,), daemon=True)
            child.start()
            children.append((child, mine))
        yield children
    finally:
        for _child, mine in children:
            try:
                mine.send(("exit", None))
            except (OSError, ValueError):
                pass
        for child, _mine in children:
            child.join(timeout=15)
            if child.is_alive():
                child.terminate()
                child.join(timeout=5)
            if child.is_alive():
                child.kill()
                child.join(timeout=5)


async def ask_all(loads, kind, specs, timeout):
    """Send one command to every load process and collect the replies (raise on any error or timeout)."""
    for (_child, conn), spec in zip(loads, specs, strict=True):
        conn.send((kind, spec))

    def collect():
        deadline = time.monotonic() + timeout
        replies = []
        for _child, conn in loads:
            if not conn.poll(max(0.0, deadline - time.monotonic())):
                raise TimeoutError(f"load process silent after {timeout:.0f} s in {kind}")
            replies.append(conn.recv())
        return replies

    replies = await asyncio.to_thread(collect)
    for reply in replies:
        if "error" in reply:
            raise RuntimeError(f"load process failed in {kind}:\n{reply['error']}")
    return replies


# --- one run ----------------------------------------------------------------------------------------------------


def new_code():
    return "".join(secrets.choice(ALPHABET) for _ in range(6))


def split(items, parts):
    return [items[i::parts] for i in range(parts)]


async def broadcast_phase(send_one, rate, seconds):
    """Call send_one(k) at `rate` per second for `seconds`; return the ids acknowledged."""
    total = int(rate * seconds)
    started = time.monotonic()
    tasks = []
    for k in range(total):
        await asyncio.sleep(max(0.0, started + k / rate - time.monotonic()))
        tasks.append(asyncio.ensure_future(send_one(k)))
    results = await gather_bounded(tasks, REQUEST_TIMEOUT + 5)
    return [k for k, ok in enumerate(results) if ok is True]


async def run_cyd(args, env, ports, pids, loads, n):
    """Join, connect, broadcast and vote on Cyd; return the figures."""
    out = {"n": n}
    code = new_code()
    rounds = await asyncio.to_thread(new_session, env, code, "Scale benchmark")
    proposal_round, _comment_round, vote_round = rounds
    main_port = ports[0]
    origin = f"http://127.0.0.1:{main_port}"
    sender_ports = ports[:1] if args.kill_one else ports  # the one to be killed serves only the measured clients
    senders_needed = max(2, math.ceil(args.events_per_second * min(args.seconds, 60) / CONTRIBUTIONS_PER_SENDER_MINUTE))
    facilitator = Client(passive=True)
    fac_cookie = await asyncio.to_thread(http_login, main_port, *FACILITATOR)
    await facilitator.open(f"ws://127.0.0.1:{main_port}/ws/sessions/{code}/", origin, fac_cookie)
    reply = await facilitator.request("round.open", {"round": proposal_round})
    assert reply["type"] == "ack", reply
    with ThreadPoolExecutor(max_workers=4) as pool:
        loop = asyncio.get_running_loop()
        cookies = await asyncio.gather(
            *(
                loop.run_in_executor(pool, http_join, sender_ports[i % len(sender_ports)], "127.0.0.1", code, f"Sender {i}")
                for i in range(senders_needed)
            )
        )
    senders = [Client(passive=True) for _ in cookies]
    for i, (sender, cookie) in enumerate(zip(senders, cookies, strict=True)):
        port = sender_ports[i % len(sender_ports)]
        await sender.open(f"ws://127.0.0.1:{port}/ws/sessions/{code}/", f"http://127.0.0.1:{port}", cookie)
    plan = [
        (i, ports[i % len(ports)], f"127.0.0.{2 + i // args.joins_per_address}") for i in range(n)
    ]  # client i: its port and source address
    shares = split(plan, len(loads))
    try:
        # Joins over HTTP, then every socket at once.
        started = time.monotonic()
        replies = await ask_all(loads, "join", [{"code": code, "clients": s, "timeout": 600} for s in shares], 660)
        out["join_s"] = time.monotonic() - started
        out["join_failed"] = sum(r["failed"] for r in replies)
        out["join_why"] = [w for r in replies for w in r["why"]][:3]
        rss_before = memory_kb(pids, "VmRSS")
        started = time.monotonic()
        spec = {"code": code, "timeout": 120, "window": args.connect_seconds, "drop": args.simulate_drops}
        replies = await ask_all(loads, "connect", [spec | {"clients": s} for s in shares], 180 + args.connect_seconds)
        out["connect_s"] = time.monotonic() - started
        handshakes = [h for r in replies for h in r["handshakes"]]
        out["connected"] = len(handshakes)
        out["refused"] = sum(r["refused"] for r in replies)
        out["unconnected"] = sum(r["unconnected"] for r in replies)
        out["refused_why"] = [w for r in replies for w in r["why"]][:3]
        out["handshake_p50"], out["handshake_p95"] = pct(handshakes, 50), pct(handshakes, 95)
        states = [h for r in replies for h in r["states"]]
        out["state_p50_s"], out["state_p95_s"] = pct(states, 50), pct(states, 95)
        await asyncio.sleep(2)  # presence settles
        out["kb_per_participant"] = (memory_kb(pids, "VmRSS") - rss_before) / max(1, len(handshakes))

        # Broadcast: proposals from the senders at R/s; every client measures.
        async def send_one(k):
            sender = senders[k % len(senders)]
            title = f"bench {k} {time.monotonic_ns()}"
            try:
                reply = await sender.request("proposal.submit", {"round": proposal_round, "title": title})
            except (TimeoutError, ConnectionError, websockets.ConnectionClosed):
                return False
            if reply["type"] == "ack":
                out.setdefault("proposal_ids", []).append(reply["payload"]["id"])
                return True
            out.setdefault("send_errors", []).append(reply.get("code"))
            return False

        cpu0 = [cpu_seconds([pid]) for pid in pids]
        killer = asyncio.ensure_future(kill_later(pids[-1], args.seconds / 2, cpu0, out)) if args.kill_one else None
        acked = await broadcast_phase(send_one, args.events_per_second, args.seconds)
        failover = {"from": ports[-1], "to": ports[0]} if args.kill_one else None
        specs = [{"ids": acked, "seconds": args.drain_seconds, "resync": True, "failover": failover}] * len(loads)
        replies = await ask_all(loads, "drain", specs, 2 * args.drain_seconds + 4 * REQUEST_TIMEOUT + 40)
        if killer is not None:
            await killer
            out["moved"] = sum(r.get("moved", 0) for r in replies)
            out["moved_failed"] = sum(r.get("moved_failed", 0) for r in replies)
            out["moved_s"] = max(r.get("moved_s", 0) for r in replies)
        each = [
            out["killed_cpu_s"] if pid in out.get("killed", ()) else cpu_seconds([pid]) - c
            for pid, c in zip(pids, cpu0, strict=True)
        ]
        out["cpu_each_s"] = each
        cpu = sum(each)
        if args.kill_one:
            pids = pids[:-1]
        sockets = out["connected"] + len(senders) + 1
        out.update(collect_broadcast(replies, acked, out["connected"]))
        out["cpu_us_per_delivery"] = cpu / max(1, len(acked) * sockets) * 1e6
        out["cpu_s"] = cpu
        out["sample"] = next((r["sample"] for r in replies if r["sample"]), None)

        # Vote: every client casts once within the window.
        try:
            await vote_phase(args, env, pids, loads, facilitator, out, proposal_round, vote_round)
        except (AssertionError, TimeoutError, ConnectionError, websockets.ConnectionClosed) as error:
            out["vote_error"] = repr(error)[:300]
            out["peak_rss_mb"] = memory_kb(pids, "VmHWM") / 1024
    finally:
        await gather_bounded([c.close() for c in [facilitator, *senders]], 15)
    return out


async def kill_later(pid, delay, cpu0, out):
    """SIGKILL one daphne mid-broadcast (as a crash would), noting the CPU it had used."""
    await asyncio.sleep(delay)
    out["killed_cpu_s"] = cpu_seconds([pid]) - cpu0[-1]
    os.kill(pid, signal.SIGKILL)
    out["killed"] = [pid]


async def vote_phase(args, env, pids, loads, facilitator, out, proposal_round, vote_round):
    """Close the proposals, open the vote, let every client cast once within the window; count what was stored."""
    for message in ({"round": proposal_round}, {"round": vote_round}):
        reply = await facilitator.request("round.close" if message["round"] == proposal_round else "round.open", message)
        assert reply["type"] == "ack", reply
    ranking = random.sample(out["proposal_ids"], min(3, len(out["proposal_ids"])))
    start_ns = time.monotonic_ns() + 1_000_000_000
    specs = [{"round": vote_round, "ranking": ranking, "start_ns": start_ns, "window": args.vote_seconds}] * len(loads)
    replies = await ask_all(loads, "vote", specs, args.vote_seconds + 200)
    ack_latencies = [x for r in replies for x in r["latencies"]]
    out["vote_closed_before"] = sum(r["closed_before"] for r in replies)
    out["vote_reconnected"] = sum(r["reconnected"] for r in replies)
    done = [x for r in replies for x in r["done_ns"]]
    out["ballots_acked"] = len(ack_latencies)
    out["ballot_errors"] = {}
    for r in replies:
        for key, count in r["errors"].items():
            out["ballot_errors"][key] = out["ballot_errors"].get(key, 0) + count
    out["ballots_per_s"] = len(done) / max(1e-9, (max(done) - start_ns) / 1e9) if done else 0.0
    out["ballot_p50"], out["ballot_p95"] = pct(ack_latencies, 50), pct(ack_latencies, 95)
    out["peak_rss_mb"] = memory_kb(pids, "VmHWM") / 1024
    await ask_all(loads, "close", [{}] * len(loads), 60)
    count = f"from deliberation.models import Ballot; print(Ballot.objects.filter(round_id={vote_round}).count())"
    stored = await asyncio.to_thread(manage, env, "shell", "-c", count)
    out["ballots_stored"] = int(stored.strip().splitlines()[-1])


def collect_broadcast(replies, acked, connected):
    """Delivery figures from the load processes' drain replies."""
    latencies = [v / 1000 for r in replies for v in r["latencies"]]  # ms
    expected = len(acked) * connected
    return {
        "events": len(acked),
        "p50": pct(latencies, 50),
        "p95": pct(latencies, 95),
        "p99": pct(latencies, 99),
        "max": max(latencies) if latencies else None,
        "live_pct": 100 * sum(r["live"] for r in replies) / max(1, expected),
        "lost": sum(r["lost"] for r in replies),
        "gaps": sum(r["gaps"] for r in replies),
        "syncs": sum(r["syncs"] for r in replies),
        "snapshots": sum(r["snapshots"] for r in replies),
        "resyncs": sum(r["resyncs"] for r in replies),
        "disconnected": sum(r["disconnected"] for r in replies),
    }


async def run_bare(args, loads, n, sample):
    """The same broadcast (frame size, rate, N) against the bare websockets server."""
    frame = json.loads(sample) if sample else {"type": "proposal.submitted", "payload": {"proposal": {"title": ""}}}
    with processes(bare_process, 1) as (server,):
        child, conn = server
        if not await asyncio.to_thread(conn.poll, 30):
            raise TimeoutError("bare server did not start")
        port = conn.recv()
        plan = [(i, port, "127.0.0.1") for i in range(n)]
        specs = [{"bare": True, "clients": s, "timeout": 120} for s in split(plan, len(loads))]
        replies = await ask_all(loads, "connect", specs, 180)
        connected = sum(len(r["handshakes"]) for r in replies)
        publisher = await connect(f"ws://127.0.0.1:{port}/publish", ping_interval=None, open_timeout=REQUEST_TIMEOUT)
        try:

            async def send_one(k):
                frame["payload"]["proposal"]["title"] = f"bench {k} {time.monotonic_ns()}"
                await publisher.send(json.dumps(frame))
                return True

            cpu0 = cpu_seconds([child.pid])
            acked = await broadcast_phase(send_one, args.events_per_second, args.seconds)
            specs = [{"ids": acked, "seconds": args.drain_seconds, "resync": False}] * len(loads)
            replies = await ask_all(loads, "drain", specs, args.drain_seconds + 60)
            cpu = cpu_seconds([child.pid]) - cpu0
        finally:
            await publisher.close()
        await ask_all(loads, "close", [{}] * len(loads), 60)
        conn.send("stop")
    figures = collect_broadcast(replies, acked, connected)
    figures["cpu_us_per_delivery"] = cpu / max(1, len(acked) * connected) * 1e6
    figures["connected"] = connected
    figures["frame_bytes"] = len(json.dumps(frame))
    return figures


def run_one(args, env, n):
    """One run at N clients: fresh server process(es), the Cyd phases, then the bare phases."""
    count = 2 if args.config == "redis2" else 1
    if args.config != "embedded":
        flush_redis(env["REDIS_URL"])
    with ExitStack() as stack:
        servers = stack.enter_context(daphnes(env, count, args.backlog))
        loads = stack.enter_context(processes(load_process, args.procs))
        ports = [port for port, _process in servers]
        pids = [process.pid for _port, process in servers]

        async def both():
            cyd = await asyncio.wait_for(run_cyd(args, env, ports, pids, loads, n), args.max_run_seconds)
            bare = await asyncio.wait_for(run_bare(args, loads, n, cyd.pop("sample")), args.max_run_seconds)
            return cyd, bare

        return asyncio.run(both())


def flush_redis(url):
    """Empty the benchmark's own Redis database (groups left by an earlier run's processes)."""
    parsed = urllib.parse.urlparse(url)
    number = parsed.path.lstrip("/") or "0"
    subprocess.run(
        ["redis-cli", "-h", parsed.hostname, "-p", str(parsed.port or 6379), "-n", number, "FLUSHDB"],
        check=True,
        capture_output=True,
        timeout=10,
    )


# --- table ------------------------------------------------------------------------------------------------------

COLUMNS = [
    ("N", "{:>5}", lambda c, b: c["n"]),
    ("conn", "{:>5}", lambda c, b: c["connected"]),
    ("refused", "{:>7}", lambda c, b: c["refused"]),
    ("hs p50/p95 ms", "{:>13}", lambda c, b: f"{ms(c['handshake_p50'])}/{ms(c['handshake_p95'])}"),
    ("ev", "{:>4}", lambda c, b: c["events"]),
    ("p50/p95/p99/max ms", "{:>22}", lambda c, b: "/".join(f"{c[k]:.0f}" if c[k] is not None else "-" for k in LAT)),
    ("live%", "{:>6}", lambda c, b: f"{c['live_pct']:.1f}"),
    ("lost", "{:>5}", lambda c, b: c["lost"]),
    ("disc", "{:>4}", lambda c, b: c["disconnected"]),
    ("bare p95", "{:>8}", lambda c, b: f"{b['p95']:.1f}" if b["p95"] is not None else "-"),
    ("p95 x", "{:>6}", lambda c, b: ratio(c["p95"], b["p95"])),
    ("cpu/dlv us", "{:>10}", lambda c, b: f"{c['cpu_us_per_delivery']:.1f}"),
    ("bare us", "{:>7}", lambda c, b: f"{b['cpu_us_per_delivery']:.1f}"),
    ("cpu x", "{:>6}", lambda c, b: ratio(c["cpu_us_per_delivery"], b["cpu_us_per_delivery"])),
    ("ballot/s", "{:>8}", lambda c, b: num(c.get("ballots_per_s"))),
    ("ack p50/p95 ms", "{:>14}", lambda c, b: f"{ms(c.get('ballot_p50'))}/{ms(c.get('ballot_p95'))}"),
    ("stored", "{:>6}", lambda c, b: num(c.get("ballots_stored"), "{}")),
    ("peak MB", "{:>7}", lambda c, b: f"{c['peak_rss_mb']:.0f}"),
    ("KB/pp", "{:>6}", lambda c, b: f"{c['kb_per_participant']:.0f}"),
]
LAT = ("p50", "p95", "p99", "max")


def num(value, fmt="{:.1f}"):
    return "-" if value is None else fmt.format(value)


def ms(seconds):
    return "-" if seconds is None else f"{seconds * 1000:.0f}"


def ratio(a, b):
    return f"{a / b:.1f}" if a is not None and b else "-"


def median_run(runs):
    """Per-figure medians of repeated runs (numbers only; the first run's other values)."""
    merged = []
    for side in (0, 1):
        first = dict(runs[0][side])
        for key in first:
            values = [r[side].get(key) for r in runs]
            if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
                first[key] = statistics.median_low(values)
            elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
                first[key] = statistics.median(values)
        merged.append(first)
    return merged


def print_row(cyd, bare):
    print("  ".join(fmt.format(get(cyd, bare)) for _name, fmt, get in COLUMNS), flush=True)


def print_header(args):
    print(
        f"config {args.config}; {args.events_per_second} events/s for {args.seconds} s; vote within {args.vote_seconds} s; "
        f"connects spread over {args.connect_seconds} s; {args.procs} load processes; medians of {args.repeat}; "
        f"daphne as `make run`, listen backlog {args.backlog}",
        flush=True,
    )
    widths = [len(fmt.format("")) for _name, fmt, _get in COLUMNS]
    print("  ".join(name.rjust(width) for (name, _fmt, _get), width in zip(COLUMNS, widths, strict=True)), flush=True)


def environment(args):
    """The server environment of the chosen configuration, on a freshly created and migrated database."""
    for key in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(key, None)
    if args.config != "embedded":
        os.environ["DATABASE_URL"] = args.postgres
    env = server_env(args.database or fresh_database("scale"))
    if args.config != "embedded":
        env["REDIS_URL"] = f"{args.redis.rstrip('/')}/{args.redis_db}"
    if not args.database:
        prepare(env)
        print(f"database {env['DATABASE_URL']} (reuse it with --database)", flush=True)
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[200, 500, 1000, 2000])
    parser.add_argument("--config", choices=["embedded", "redis1", "redis2"], default="embedded")
    parser.add_argument("--events-per-second", type=float, default=10)
    parser.add_argument("--seconds", type=float, default=20, help="length of the broadcast")
    parser.add_argument(
        "--connect-seconds", type=float, default=0, help="spread the first connects over this window (0: all at once)"
    )
    parser.add_argument("--drain-seconds", type=float, default=40, help="wait this long for late deliveries")
    parser.add_argument("--vote-seconds", type=float, default=60, help="every client casts once within this")
    parser.add_argument("--repeat", type=int, default=1, help="runs per N; the table shows medians")
    parser.add_argument("--procs", type=int, default=4, help="load-generator processes (1-8)")
    parser.add_argument("--joins-per-address", type=int, default=200, help="joins per source address 127.0.0.x")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/cyd_bench")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument("--redis-db", type=int, default=13, help="emptied before every run")
    parser.add_argument(
        "--backlog", type=int, help="daphne's listen backlog (default: the Makefile's, as `make run`; Twisted's is 50)"
    )
    parser.add_argument(
        "--kill-one", action="store_true", help="redis2: SIGKILL the second daphne mid-broadcast; its clients fail over"
    )
    parser.add_argument("--max-run-seconds", type=float, default=900, help="hard limit per phase set")
    parser.add_argument(
        "--simulate-drops", type=float, default=0.0, help="self-check: Cyd clients ignore this share of live frames"
    )
    parser.add_argument("--database", help="a database this command migrated before (skips migrate + demo data)")
    parser.add_argument("--json", help="also write every run's figures to this file")
    args = parser.parse_args()
    args.procs = max(1, min(8, args.procs))
    if args.kill_one and args.config != "redis2":
        parser.error("--kill-one needs --config redis2 (a second process to fail over to)")
    args.backlog = args.backlog or make_run_daphne()[1]
    env = environment(args)
    print_header(args)
    everything = []
    for n in args.clients:
        runs = [run_one(args, env, n) for _ in range(args.repeat)]
        everything.append({"n": n, "runs": runs})
        cyd, bare = median_run(runs)
        print_row(cyd, bare)
        for run_cyd_figures, _bare in runs:
            keys = ("join_failed", "join_s", "unconnected", "connect_s", "state_p50_s", "state_p95_s")
            keys += ("join_why", "refused_why", "send_errors", "vote_error", "ballot_errors", "cpu_each_s")
            keys += ("moved", "moved_failed", "moved_s")
            notes = {k: round(v, 3) if isinstance(v, float) else v for k in keys if (v := run_cyd_figures.get(k))}
            notes.update(gaps=run_cyd_figures["gaps"])
            notes.update(syncs=run_cyd_figures["syncs"], snapshots=run_cyd_figures["snapshots"])
            notes.update(resyncs=run_cyd_figures["resyncs"])
            notes.update(
                vote_closed_before=run_cyd_figures.get("vote_closed_before"),
                vote_reconnected=run_cyd_figures.get("vote_reconnected"),
            )
            print("      " + re.sub(r"\s+", " ", json.dumps({k: v for k, v in notes.items() if v})), flush=True)
    if args.json:
        for item in everything:
            for cyd, _bare in item["runs"]:
                cyd.pop("proposal_ids", None)
        Path(args.json).write_text(json.dumps(everything, indent=1, default=str))


if __name__ == "__main__":
    main()
