#!/usr/bin/env python
"""Speed under load: N concurrent signed-in clients against a server on loopback, bounded in time.

The two measurements of issue 11, one command each (unattended; each loads the demo into its own
database the first time, starts gunicorn on 127.0.0.1:8102, runs 20 then 50 clients for 30 s each,
stops the server and prints the table):

    .venv/bin/python bench/load_bench.py                               # SQLite
    scripts/with-postgres.sh .venv/bin/python bench/load_bench.py      # PostgreSQL

SQLite keeps its database in var/bench/load.sqlite3, so only the first run loads the demo (about
2 minutes; later runs start in seconds). with-postgres.sh gives a throwaway cluster, so every
PostgreSQL run loads the demo first (2–3 minutes on a quiet machine, much longer on a busy one).
`--clients 20` or `--clients 50` runs one count; `--json` prints the reports as JSON. Against a
server already running: `--url http://127.0.0.1:8102`.

Load model. Each client signs in as one of the demo staff (consultants, managers, executives …;
clients of the same user share its session, signed in once before the clock starts) and loops for
`--seconds`: a page (home, the cockpit panel the home page loads, customer list, a customer page,
funnel, funnel JSON, follow-ups due, members, care tasks) or, in `--write-share` of its requests,
a write (a follow-up scheduled through the API on one of its own customers), then a pause of
`--think` seconds on average (uniform between half and one and a half times it; 1 s by default).
Twenty clients at a one-second think time ask for about as much as several hundred people at work,
who read a page for tens of seconds. `--think 0` makes every client fire its next request the
moment the last answer arrives: a saturation test, where latency is the queue in front of the
server's cores (clients × CPU time per request ÷ cores) rather than the time of a request.

Reported per kind: requests, p50 / p95 / p99 in ms, requests per second, and errors (5xx,
connection failures) — plus any 4xx, which a correct client never gets. Only 127.0.0.1 is ever
contacted. gunicorn runs `--workers` processes × `--threads` threads (2 × 4 by default).

bench/page_profile.py gives the server time of each page without HTTP or concurrency (best-of-N
CPU time, queries): the figure to compare before and after a change on a shared machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "opscenter-demo-2026"
USERS = [
    "demo-ops",
    "demo-ops-meilai",
    "demo-exec",
    "demo-marketing",
    "demo-customer",
    "demo-consultant",
    "demo-consultant-meilai",
    "demo-callcenter",
]
READ_ONLY = {"demo-exec"}  # reads every site, writes none: a write would rightly be refused
# The home page loads the cockpit panel with htmx (HX-Request), so a client asks for it as a browser does.
COCKPIT = "/reports/cockpit/"
PAGES = [
    "/",
    COCKPIT,
    "/pipeline/",
    "/pipeline/funnel/",
    "/pipeline/funnel/data.json",
    "/pipeline/followups/",
    "/members/",
    "/members/care/",
    "{customer}",
]


class Session:
    """One signed-in client: a keep-alive connection, cookies, the CSRF token."""

    def __init__(self, host: str, port: int, timeout: float = 30):
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def login(self, username: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        )
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            body.encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{self.host}:{self.port}/",
            },
        )
        if status != 302:
            raise RuntimeError(f"login of {username} answered {status}")

    def customers(self) -> list[int]:
        status, data = self.request("GET", "/api/pipeline/customers?limit=50")
        items = json.loads(data)["items"] if status == 200 else []
        return [c["id"] for c in items]


def sign_in(host: str, port: int, errors: list) -> dict[str, tuple[dict, list[int]]]:
    """Sign each demo user in once, one after the other: {username: (cookies, customer ids)}.

    Clients of the same user share its session, as a person's browser tabs do. Signing in costs
    a full PBKDF2 password hash (about a second of CPU on a busy machine): fifty clients signing in
    at once queued that much work that sign-ins timed out, which measured the hasher rather than
    the pages. Sign-in is not part of what the bench measures."""
    signed_in = {}
    for username in USERS:
        session = Session(host, port, timeout=120)
        try:
            session.login(username)
            signed_in[username] = (dict(session.cookies), session.customers())
        except Exception as exc:  # reported, the run goes on with the others
            errors.append(f"sign-in of {username}: {exc}")
        finally:
            session.conn.close()
    return signed_in


def client_loop(
    n: int,
    host: str,
    port: int,
    clock: dict,
    write_share: float,
    signed_in: dict,
    results: dict,
    errors: list,
):
    rng = random.Random(n)
    username = USERS[n % len(USERS)]
    if username not in signed_in:
        clock["ready"].wait()
        return
    session = Session(host, port)
    cookies, customers = signed_in[username]
    session.cookies = dict(cookies)
    think = clock["think"]
    clock["ready"].wait()
    deadline = time.monotonic() + clock["seconds"]
    if think:  # clients start spread over one think time, not all at the same instant
        time.sleep(rng.uniform(0, think))
    csrf = session.cookies.get("csrftoken", "")
    can_write = username not in READ_ONLY
    while time.monotonic() < deadline:
        write = customers and can_write and rng.random() < write_share
        start = time.perf_counter()
        try:
            if write:
                kind = "write"
                body = json.dumps(
                    {
                        "customer_id": rng.choice(customers),
                        "scheduled_on": time.strftime("%Y-%m-%d"),
                        "note": "bench",
                    }
                ).encode()
                status, _ = session.request(
                    "POST",
                    "/api/pipeline/followups",
                    body,
                    {
                        "Content-Type": "application/json",
                        "X-CSRFToken": csrf,
                        "Referer": f"http://{host}:{port}/",
                    },
                )
            else:
                kind = "page"
                path = rng.choice(PAGES)
                if path == "{customer}":
                    if not customers:
                        continue
                    path = f"/pipeline/customers/{rng.choice(customers)}/"
                status, _ = session.request(
                    "GET", path, headers={"HX-Request": "true"} if path == COCKPIT else None
                )
        except Exception as exc:
            results[("error", "conn")].append(time.perf_counter() - start)
            errors.append(f"client {n}: {exc}")
            continue
        results[(kind, status)].append(time.perf_counter() - start)
        if think:
            time.sleep(rng.uniform(0.5 * think, 1.5 * think))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def run(
    host: str, port: int, clients: int, seconds: float, write_share: float, think: float, signed_in: dict
) -> dict:
    results: dict = defaultdict(list)
    errors: list[str] = []
    clock = {"ready": threading.Barrier(clients + 1), "seconds": seconds, "think": think}
    threads = [
        threading.Thread(
            target=client_loop,
            args=(n, host, port, clock, write_share, signed_in, results, errors),
            daemon=True,
        )
        for n in range(clients)
    ]
    for t in threads:
        t.start()
    clock["ready"].wait(timeout=900)
    began = time.monotonic()
    for t in threads:
        t.join(timeout=seconds + 120)
    elapsed = time.monotonic() - began
    report = {
        "clients": clients,
        "think": think,
        "seconds": round(elapsed, 1),
        "load_average": round(os.getloadavg()[0], 1),
        "errors": errors[:5],
        "kinds": {},
    }
    for kind in ("page", "write"):
        times = [v for (k, _s), vs in results.items() if k == kind for v in vs]
        statuses = defaultdict(int)
        for (k, s), vs in results.items():
            if k == kind:
                statuses[s] += len(vs)
        report["kinds"][kind] = {
            "n": len(times),
            "rps": round(len(times) / elapsed, 1),
            "p50": round(percentile(times, 50) * 1000),
            "p95": round(percentile(times, 95) * 1000),
            "p99": round(percentile(times, 99) * 1000),
            "5xx": sum(n for s, n in statuses.items() if s >= 500),
            "4xx": sum(n for s, n in statuses.items() if 400 <= s < 500),
        }
    report["connection_errors"] = len(results.get(("error", "conn"), []))
    return report


DEMO_PRESENT = """
import django
django.setup()
from django.contrib.auth import get_user_model
raise SystemExit(0 if get_user_model().objects.filter(username="demo-ops").exists() else 3)
"""


def serve(port: int, workers: int, threads: int) -> subprocess.Popen:
    """Migrate, load the demo unless the database already holds it, start gunicorn on loopback."""
    env = dict(
        os.environ, OPSCENTER_DEBUG="0", OPSCENTER_HTTPS="0", DJANGO_SETTINGS_MODULE="opscenter.settings"
    )
    env.setdefault("OPSCENTER_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'load.sqlite3'}")
    env.setdefault("OPSCENTER_LOG_LEVEL", "WARNING")
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    py = sys.executable
    began = time.monotonic()
    subprocess.run(
        [py, "-m", "opscenter", "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    if subprocess.run([py, "-c", DEMO_PRESENT], cwd=ROOT, env=env).returncode != 0:
        print("loading the demo organization (once per database) …", file=sys.stderr, flush=True)
        subprocess.run(
            [py, "-m", "opscenter", "demo", "--no-serve"], cwd=ROOT, env=env, check=True, capture_output=True
        )
    print(f"database ready in {time.monotonic() - began:.0f} s", file=sys.stderr, flush=True)
    cmd = [
        py, "-m", "gunicorn", "opscenter.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--threads", str(threads), "--log-level", "warning",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="a server already running on loopback (default: --serve)")
    parser.add_argument(
        "--serve", action="store_true", help="load the demo and start gunicorn on --port (the default)"
    )
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--clients", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean pause of a client between requests, s (0: none)"
    )
    parser.add_argument("--write-share", type=float, default=0.1)
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")
    args = parser.parse_args()
    args.serve = args.serve or not args.url  # `make bench` runs every bench with no arguments
    url = urllib.parse.urlsplit(args.url if not args.serve else f"http://127.0.0.1:{args.port}")
    if url.hostname not in {"127.0.0.1", "localhost"}:
        parser.error("loopback only")
    proc = serve(args.port, args.workers, args.threads) if args.serve else None
    try:
        port = url.port or 80
        sign_in_errors: list[str] = []
        signed_in = sign_in("127.0.0.1", port, sign_in_errors)
        reports = [
            run("127.0.0.1", port, n, args.seconds, args.write_share, args.think, signed_in)
            for n in args.clients
        ]
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a loaded machine: the report still gets printed
                proc.kill()
                proc.wait()
    if args.json:
        print(json.dumps({"sign_in_errors": sign_in_errors, "runs": reports}, indent=2))
        return
    if sign_in_errors:
        print(f"sign-in errors: {sign_in_errors}")
    print(
        f"{'clients':>7} {'think':>5} {'kind':<6} {'n':>6} {'rps':>6} {'p50':>6} {'p95':>6} {'p99':>6} "
        f"{'5xx':>5} {'4xx':>5}"
    )
    for r in reports:
        for kind, k in r["kinds"].items():
            print(
                f"{r['clients']:>7} {r['think']:>5} {kind:<6} {k['n']:>6} {k['rps']:>6} {k['p50']:>6} {k['p95']:>6} "
                f"{k['p99']:>6} {k['5xx']:>5} {k['4xx']:>5}"
            )
        print(f"        load average (1 min) at the end: {r['load_average']}")
        if r["connection_errors"] or r["errors"]:
            print(f"        connection errors: {r['connection_errors']}; {r['errors']}")


if __name__ == "__main__":
    main()
