"""Live-module benchmark: ack latency and broadcast fan-out over real sockets to one daphne process.

    python bench/live.py [--clients 50 100 200] [--submissions 30]

Starts daphne on a fresh database of the configured kind (DATABASE_URL, REDIS_URL as in the
environment; SQLite + in-memory layer by default), joins N walk-in participants, and prints the
median and 95th percentile of (a) the time from sending `proposal.submit` to its ack and (b) the
time until the last of the N clients has received the broadcast event.
"""

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.servers import Browserless, daphne, fresh_database, new_session, prepare, server_env  # noqa: E402

CODE = "BENCH7"


async def open_socket(base, cookies):
    """An asyncio WebSocket with a participant's cookies; the first (state) message is read."""
    import websockets

    uri = base.replace("http://", "ws://") + f"/ws/sessions/{CODE}/"
    ws = await websockets.connect(uri, additional_headers={"Origin": base, "Cookie": cookies}, max_queue=None)
    await ws.recv()
    return ws


async def wait_for(ws, predicate):
    """Read messages until one matches."""
    while True:
        message = json.loads(await ws.recv())
        if predicate(message):
            return message


async def run(base, clients, submissions, proposal_round):
    """Connect the clients, then submit proposals one at a time from the first and time ack and fan-out."""
    cookies = []
    for n in range(clients):
        browser = Browserless(base)
        browser.join(CODE, f"Bench {n}")
        cookies.append("; ".join(f"{c.name}={c.value}" for c in browser.jar))
    sockets = await asyncio.gather(*(open_socket(base, c) for c in cookies))
    acks, fanouts = [], []
    sender = sockets[0]
    for i in range(submissions):
        title = f"Proposal {clients}-{i}"
        started = time.perf_counter()
        receivers = [
            asyncio.ensure_future(
                wait_for(ws, lambda m, t=title: m.get("type") == "proposal.submitted" and m["payload"]["proposal"]["title"] == t)
            )
            for ws in sockets
            if ws is not sender
        ]
        await sender.send(
            json.dumps({"type": "proposal.submit", "ref": f"b{i}", "payload": {"round": proposal_round, "title": title}})
        )
        await wait_for(sender, lambda m, i=i: m.get("ref") == f"b{i}")
        acks.append(time.perf_counter() - started)
        await asyncio.gather(*receivers)
        fanouts.append(time.perf_counter() - started)
        # Stay under the per-participant limit by rotating the sender.
        sender = sockets[(i + 1) % len(sockets)]
    for ws in sockets:
        await ws.close()
    return acks, fanouts


def quantiles(values):
    """Median and 95th percentile in milliseconds."""
    ordered = sorted(values)
    return statistics.median(ordered) * 1000, ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000


def main():
    """Run the benchmark for each client count and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[10, 50, 100])
    parser.add_argument("--submissions", type=int, default=30)
    args = parser.parse_args()
    env = server_env(fresh_database("bench"))
    prepare(env)
    proposal_round = new_session(env, CODE, title="Benchmark")[0]
    from tests.servers import manage

    manage(
        env,
        "shell",
        "-c",
        f"from deliberation.models import Round; Round.objects.filter(pk={proposal_round}).update(state='open')",
    )
    print(f"database: {env['DATABASE_URL'].split(':')[0]}, layer: {'redis' if env.get('REDIS_URL') else 'in-memory'}")
    print(f"{'clients':>8} {'ack median ms':>14} {'ack p95 ms':>11} {'fan-out median ms':>18} {'fan-out p95 ms':>15}")
    with daphne(env) as (base, _process):
        for clients in args.clients:
            acks, fanouts = asyncio.run(run(base, clients, args.submissions, proposal_round))
            (am, ap), (fm, fp) = quantiles(acks), quantiles(fanouts)
            print(f"{clients:>8} {am:>14.1f} {ap:>11.1f} {fm:>18.1f} {fp:>15.1f}")


if __name__ == "__main__":
    main()
