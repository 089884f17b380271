"""A small, bounded load probe against a local anjian server: prints figures, asserts nothing.

Logs in N clients (demo logins, password Anjian@2026), has them fetch logged-in pages
in a loop for a while, and prints per page the p50/p95 latency, the errors, and the
PostgreSQL connections to the database (pg_stat_activity) before, at the peak, and after.

    PYTHONPATH=src .venv/bin/anjian runserver 127.0.0.1:8765 &   # DATABASE_URL set
    .venv/bin/python scripts/load_probe.py --base http://127.0.0.1:8765 \\
        --clients 16 --seconds 20 /accidents/ /hazards/ /enterprises/

It only talks to 127.0.0.1/localhost, runs at most --seconds and --max-requests, and
reads DATABASE_URL (postgres://…) for the connection count (skipped without one).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict

PASSWORD = "Anjian@2026"  # noqa: S105 - the demo logins' password (README)
USERS = ["yjj", "xueyuan", "quzhang", "awb", "zhujian"]
PATHS = ["/accidents/", "/hazards/", "/enterprises/"]


class ConnectionCounter:
    """Counts the backends connected to the URL's database over one connection of its
    own, opened before the load (so a server that exhausts the connections cannot
    stop the count). Without a PostgreSQL URL it counts nothing."""

    def __init__(self, database_url: str | None):
        self.conn = None
        if database_url and database_url.startswith(("postgres://", "postgresql://")):
            import psycopg

            self.name = urllib.parse.urlparse(database_url).path.lstrip("/")
            admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
            self.conn = psycopg.connect(admin_url, autocommit=True)
        self.lock = threading.Lock()

    def __call__(self) -> int | None:
        if self.conn is None:
            return None
        with self.lock:
            row = self.conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [self.name]
            ).fetchone()
        return int(row[0]) if row else 0


class Client:
    def __init__(self, base: str, username: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.username = username

    def login(self) -> None:
        page = self.opener.open(f"{self.base}/login/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        data = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "username": self.username,
                "password": PASSWORD,
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - main() allows only local http
            f"{self.base}/login/", data=data, headers={"Referer": f"{self.base}/login/"}
        )
        response = self.opener.open(request, timeout=30)
        if "/login/" in response.geturl():
            raise SystemExit(f"login failed for {self.username}")

    def get(self, path: str) -> int:
        try:
            response = self.opener.open(f"{self.base}{path}", timeout=60)
            response.read()
            if "/login/" in response.geturl():
                return 401
            return response.status
        except urllib.error.HTTPError as exc:
            return exc.code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=PATHS)
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--users", default=",".join(USERS))
    args = parser.parse_args()
    host = urllib.parse.urlparse(args.base).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the probe only runs against a local server")
    if not 1 <= args.clients <= 64 or not 0 < args.seconds <= 300:
        raise SystemExit("1–64 clients, at most 300 seconds")
    connections_to = ConnectionCounter(os.environ.get("DATABASE_URL"))

    before = connections_to()
    users = args.users.split(",")
    clients = [Client(args.base, users[i % len(users)]) for i in range(args.clients)]
    for client in clients:
        client.login()
    after_login = connections_to()

    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    lock = threading.Lock()
    budget = [args.max_requests]
    deadline = time.monotonic() + args.seconds
    stop = threading.Event()

    def work(client: Client, offset: int) -> None:
        i = offset
        while time.monotonic() < deadline:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            path = args.paths[i % len(args.paths)]
            i += 1
            started = time.perf_counter()
            try:
                status = client.get(path)
            except Exception as exc:  # a refused or reset connection counts too
                status = type(exc).__name__
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200:
                    timings[path].append(elapsed)
                else:
                    errors[path][str(status)] += 1

    peak = [after_login or 0]

    def sample() -> None:
        while not stop.wait(0.25):
            count = connections_to()
            if count is not None:
                peak[0] = max(peak[0], count)

    sampler = threading.Thread(target=sample, daemon=True)
    if connections_to.conn is not None:
        sampler.start()
    threads = [threading.Thread(target=work, args=(c, n)) for n, c in enumerate(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - started
    stop.set()
    time.sleep(0.5)
    after = connections_to()

    total = sum(len(v) for v in timings.values())
    failed = sum(sum(e.values()) for e in errors.values())
    print(
        f"{args.clients} clients, {took:.1f} s, {total} ok, {failed} errors, "
        f"{total / took:.1f} req/s"
    )
    for path in args.paths:
        values = sorted(timings[path])
        if values:
            p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
            figures = f"p50 {statistics.median(values):7.0f} ms  p95 {p95:7.0f} ms"
        else:
            figures = "no successful request"
        bad = ", ".join(f"{k}×{v}" for k, v in errors[path].items()) or "none"
        print(f"  {path:40} n={len(values):5}  {figures}  errors: {bad}")
    if connections_to.conn is not None:
        print(
            f"connections to the database: before {before}, after login {after_login}, "
            f"peak {peak[0]}, after {after}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
