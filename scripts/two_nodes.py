"""`make two-nodes`: two app nodes, one Redis, one PostgreSQL, under load; a publish, a Redis outage, a lost node.

The set-up of a site on several machines, on this one (loopback only, every run bounded in time):

- its own redis-server (Debian's binary) on 127.0.0.1:6391 in a temporary directory, without
  persistence (a cache that restarts empty); the machine's own Redis on 6379 is never touched;
- one PostgreSQL database, discsite_nodes (NODES_DATABASE_URL names another local one), created,
  migrated and seeded as the soak's is (scripts/loadtest.py);
- two gunicorn servers with the production settings (gunicorn.conf.py, 2 sync workers each), node A
  on 127.0.0.1:8311 and node B on 127.0.0.1:8312: separate processes with their own memory, sharing
  the Redis cache (REDIS_URL) and the database.

Both are loaded for --duration seconds by wrk over the public mix (the soak's) and by Python samplers
that record every response's status, whether the page cache answered, and whether the topic page
(and the topics index) show the title being published. Meanwhile:

1. Shared cache, unknown parameters: before the load, a page rendered by A is a cache hit on B, and
   `?utm_source=...`, `?fbclid=...` and other parameters no page reads add no key to Redis.
2. A publish on A, over HTTP through the admin as the people who do it: every page type is
   clinically reviewed (discsite.core.models.BasePage), so a live topic page is edited and submitted
   by an editor, approved by a clinical reviewer (a topic has no author, so any reviewer may) and
   signed off by a moderator, whose sign-off publishes it. The moment that sign-off returns, B is
   polled: it must serve the new title within 1 s, and no response from either node that started
   after that moment may show the old one (the page cache is in play: B served the page from Redis
   before, and serves the new one from Redis after its first request).
3. Redis killed (SIGKILL) and restarted --redis-down seconds later: every reader gets a page on both
   nodes (slower, never a 5xx; discsite/core/cache_backend.py answers as an empty cache), an
   editor's saves of a question page during and after it are whole in the database (reported saved)
   or absent (an error page shown), never partial; and the cache serves hits again after it.
4. Node A killed (SIGKILL to its gunicorn master and workers): there is no load balancer here, so
   each node is watched on its own: B must keep answering, every response 2xx/3xx, to the end. A's
   wrk load moves to B (as a load balancer would send it), and B must carry that too.

No 5xx anywhere, on either node, at any time; no ERROR in either server's log. Prints a report,
writes scripts/logs/two-nodes-result.json and exits 1 if a requirement failed. `--short` is the same
in about 40 s of load (CI's step); the full run is about 90 s of load.

Usage: .venv/bin/python scripts/two_nodes.py [--short] [--duration S] [--connections N] [--fresh]
"""

# A local tool that starts redis-server and talks to its own servers on 127.0.0.1:
# ruff: noqa: S603
import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from loadtest import (
    ADMIN_USERNAME,
    HOST,
    LOGS,
    Editor,
    Samplers,
    Server,
    check_urls,
    database_name,
    database_url,
    fetch,
    finish_wrk,
    format_statuses,
    prepare,
    read_json_lines,
    record_time,
    say,
    start_wrk,
    verdict,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/discsite_nodes"
REDIS_PORT = 6391
NODE_PORTS = {"A": 8311, "B": 8312}
ROLES_PREFIX = "nodes"
FRESH_WITHIN = 1.0  # seconds after the publish returns
# What a load balancer in front of the nodes passes on: one site name for both, as readers asked for it.
# (The page cache keys by host; each node's own 127.0.0.1:port would give each node keys of its own.)
READER_HEADERS = {"Host": "localhost"}
CACHE_BACKEND_LOGGER = "discsite.core.cache_backend"

# Seconds into the load: when each event starts at the earliest (each also waits for the one before).
PLANS = {
    "full": {"duration": 90, "publish_at": 8, "redis_down_at": 25, "redis_down": 10, "node_lost_at": 55},
    "short": {"duration": 40, "publish_at": 5, "redis_down_at": 13, "redis_down": 5, "node_lost_at": 27},
}
NO_DISK = ["--save", "", "--appendonly", "no"]  # a cache: it restarts empty
MOVED = "A's load on B"  # the wrk run that takes A's share to B once A is lost
MIN_ALONE = 5  # seconds of load B must carry alone for the node loss to count


# ---------------------------------------------------------------- Redis


def listening(port):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


class RedisServer:
    """A redis-server of the run's own: 127.0.0.1:`port`, a temporary directory, no persistence."""

    def __init__(self, port, directory, log_path):
        self.port, self.directory, self.log_path = port, directory, log_path
        self.url = f"redis://{HOST}:{port}/0"
        self.files = ["--dir", str(directory), "--logfile", str(log_path)]
        self.binary = shutil.which("redis-server")
        self.process = None

    def client(self):
        import redis

        return redis.Redis(host=HOST, port=self.port, socket_timeout=2, socket_connect_timeout=2)

    def start(self):
        """Start it; the moment it first answered PING."""
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", HOST, *NO_DISK, *self.files],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"redis-server did not start on port {self.port}; see {self.log_path}")
            try:
                if self.client().ping():
                    return time.time()
            except OSError:  # redis' ConnectionError is one
                pass
            time.sleep(0.02)
        raise SystemExit(f"redis-server did not answer on port {self.port} within 15 s; see {self.log_path}")

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stats(self):
        info = self.client().info()
        return {
            "keys": self.client().dbsize(),
            "keyspace_hits": info.get("keyspace_hits"),
            "keyspace_misses": info.get("keyspace_misses"),
            "used_memory_human": info.get("used_memory_human"),
        }


# ---------------------------------------------------------------- mail


class MailSink(socketserver.ThreadingTCPServer):
    """Just enough SMTP on a free loopback port to take the workflow's notification mails (the production
    settings send them by SMTP; without a server, Wagtail logs an error for each and sends none)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__((HOST, 0), MailHandler)
        self.port = self.server_address[1]
        self.messages = 0
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


class MailHandler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        self.reply("220 two-nodes mail sink")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip().upper()
            if command.startswith("DATA"):
                self.reply("354 end with <CRLF>.<CRLF>")
                while (data := self.rfile.readline()) and data.rstrip(b"\r\n") != b".":
                    pass
                self.server.messages += 1
                self.reply("250 kept")
            elif command.startswith("QUIT"):
                self.reply("221 bye")
                return
            else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
                self.reply("250 OK")


# ---------------------------------------------------------------- the publish, as the people who do it


def action_url(client, page_id, action):
    """The workflow action's URL for the task in progress, as the dashboard's "Awaiting your review" offers
    it (or the edit page's footer, whose dialog names the same task state)."""
    pattern = rf"/admin/pages/workflow/(?:action|collect_action_data)/{page_id}/{action}/(\d+)/"
    for path in ("/admin/", f"/admin/pages/{page_id}/edit/"):
        _status, _headers, body = client.request(path)
        match = re.search(pattern, body.decode(errors="replace"))
        if match:
            return f"/admin/pages/workflow/action/{page_id}/{action}/{match.group(1)}/"
    raise SystemExit(f"neither the dashboard nor the edit page offers '{action}' on page {page_id} to this user")


def expect_redirect(step, response):
    status, _headers, body = response
    if status != 302:
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body.decode(errors="replace")))[:300]
        raise SystemExit(f"{step}: HTTP {status}, not the redirect that says it was done ({text})")


def publish(node, people, page_id, form):
    """Editor saves and submits, clinician approves, moderator signs off (which publishes). Returns the
    times of each step; "published" is the moment the sign-off's answer was received."""
    times = {"submit": time.time()}
    expect_redirect("the editor's submit", people["editor"].post(f"/admin/pages/{page_id}/edit/", form))
    times["approve"] = time.time()
    clinician = people["clinician"]
    expect_redirect(
        "the clinical approval",
        clinician.post(action_url(clinician, page_id, "approve"), {"comment": "Checked.", "next_review_due": ""}),
    )
    moderator = people["moderator"]
    sign_off = action_url(moderator, page_id, "approve")
    times["sign_off"] = time.time()
    expect_redirect("the moderator's sign-off", moderator.post(sign_off, {"comment": "Publish."}))
    times["published"] = time.time()
    return times


def watch_freshness(node, path, marker, seconds):
    """Poll `path` on `node` from now: how long until it showed `marker`, and every answer after that."""
    started = time.time()
    polls = []
    while time.time() < started + seconds:
        status, headers, body, _ = fetch(node.base + path, timeout=10, headers=READER_HEADERS)
        polls.append(
            {"end": time.time(), "status": status, "fresh": marker in body, "cache": headers.get("X-Page-Cache")}
        )
    first_fresh = next((poll for poll in polls if poll["fresh"]), None)
    after = polls[polls.index(first_fresh) :] if first_fresh else []
    return {
        "first_fresh_ms": round((first_fresh["end"] - started) * 1000, 1) if first_fresh else None,
        "stale_before_fresh": polls.index(first_fresh) if first_fresh else len(polls),
        "polls_after": len(after),
        "stale_after": sum(not poll["fresh"] for poll in after),
        "hits_after": sum(poll["cache"] == "hit" for poll in after),
        "first_fresh_cache": first_fresh["cache"] if first_fresh else None,
    }


# ---------------------------------------------------------------- the run


def wait_until(moment):
    time.sleep(max(0, moment - time.time()))


def kill_node(server):
    """SIGKILL to the gunicorn master and its workers (its own session and process group)."""
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=10)


def latency_ms(records):
    values = [record["end"] - record["start"] for record in records]
    return round(statistics.median(values) * 1000, 1) if values else None


def count_by(records, key):
    counts = {}
    for record in records:
        counts[record[key]] = counts.get(record[key], 0) + 1
    return dict(sorted(counts.items(), key=lambda item: str(item[0])))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="the CI form: about 40 s of load")
    parser.add_argument("--duration", type=int, help="seconds of load (default 90, or 40 with --short)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections per node (default 8)")
    parser.add_argument("--samplers", type=int, default=2, help="Python readers per node (default 2)")
    parser.add_argument("--fresh", action="store_true", help="drop and re-create the database first")
    args = parser.parse_args()
    plan = dict(PLANS["short" if args.short else "full"])
    if args.duration:
        scale = args.duration / plan["duration"]
        plan = {name: value * scale for name, value in plan.items()}
    for tool in ("wrk", "redis-server"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is not installed: apt-get install -y {tool} (make two-nodes does it)")
    for port in (REDIS_PORT, *NODE_PORTS.values()):
        if listening(port):
            raise SystemExit(f"127.0.0.1:{port} is in use; this run needs it for its own server")

    url = database_url("NODES_DATABASE_URL", DEFAULT_DATABASE_URL)
    site = prepare(fresh=args.fresh, url=url)
    urls = site.probe("urls")
    paths = list(urls.values())
    roles = site.probe("ensure-roles", ROLES_PREFIX)
    run = secrets.token_hex(3)
    marker = f"[nodes-{run}]"
    target = site.probe("publish-form", marker)
    topic_path = target["url"]
    watched = {topic_path, urls["topics index"]}
    saves = [f"[{run}-{name}]" for name in ("control", "outage-1", "outage-2", "after")]
    edit = site.probe("edit-form", *saves)
    marker_bytes = marker.encode()

    def inspect(path, body):
        return {"fresh": marker_bytes in body} if path in watched else {}

    LOGS.mkdir(exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix="discsite-nodes-redis-"))
    redis_server = RedisServer(REDIS_PORT, directory, LOGS / "two-nodes-redis.log")
    mail = MailSink().__enter__()
    site.env.update(REDIS_URL=redis_server.url, EMAIL_HOST=HOST, EMAIL_PORT=str(mail.port))
    timeline, checks, failures = {}, {}, []
    nodes = {}
    try:
        redis_server.start()
        for name, port in NODE_PORTS.items():
            nodes[name] = Server(site, f"two-nodes-{name.lower()}", port=port).__enter__()
        a, b = nodes["A"], nodes["B"]

        # 1. One cache for both; parameters no page reads make no entry.
        redis_server.client().flushdb()
        first = fetch(a.base + "/feed/", headers=READER_HEADERS)[1].get("X-Page-Cache")
        second = fetch(b.base + "/feed/", headers=READER_HEADERS)[1].get("X-Page-Cache")
        checks["shared_cache"] = {"A_renders": first, "B_then": second}
        fetch(b.base + "/", headers=READER_HEADERS)
        fetch(b.base + "/questions/", headers=READER_HEADERS)
        keys_before = redis_server.client().dbsize()
        answers = []
        for n in range(20):
            for path in (f"/?utm_source=newsletter-{n}&utm_medium=email", f"/questions/?fbclid=IwAR{n}&ref={n}"):
                answers.append(fetch(b.base + path, headers=READER_HEADERS)[1].get("X-Page-Cache"))
        checks["unknown_parameters"] = {
            "requests": len(answers),
            "hits": answers.count("hit"),
            "new_keys": redis_server.client().dbsize() - keys_before,
        }
        for node in (a, b):
            check_urls(node, urls, headers=READER_HEADERS)

        # Everyone signs in before the load (the editor saving drafts is the soak's superuser).
        people = {role: Editor(a.base) for role in ("editor", "clinician", "moderator")}
        for role, client in people.items():
            client.login(roles["users"][role], site.admin_password)
        saver = Editor(a.base)
        saver.login(ADMIN_USERNAME, site.admin_password)
        control = saver.save(edit["page_id"], saves[0], edit["forms"][saves[0]], "control, before the outage")
        if control["response"] != "saved":
            raise SystemExit(f"the editor's control save did not go through ({control}); see {a.log_path}")

        say(
            f"two nodes: A {a.base}, B {b.base} (gunicorn, 2 workers each, production settings), Redis "
            f"{redis_server.url} (own process), PostgreSQL {database_name(url)}; {plan['duration']:.0f} s of load: "
            f"wrk {args.connections} connections + {args.samplers} samplers per node; "
            f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
        )
        t0 = time.time()
        timeline["load_start"] = t0
        wrks, samplers = {}, {}
        try:
            for name, node in nodes.items():
                wrks[name] = start_wrk(
                    node, paths, round(plan["duration"]), args.connections, 1, headers=READER_HEADERS
                )
                samplers[name] = Samplers(node.base, paths, args.samplers, inspect=inspect, headers=READER_HEADERS)
                samplers[name].__enter__()
            # 2. The publish on A; B polled the moment it returns.
            wait_until(t0 + plan["publish_at"])
            steps = publish(a, people, target["page_id"], target["form"])
            timeline.update({f"publish_{name}": moment for name, moment in steps.items()})
            published = steps["published"]
            freshness = watch_freshness(b, topic_path, marker_bytes, 2.0)
            freshness["A"] = watch_freshness(a, topic_path, marker_bytes, 0.5)
            checks["publish"] = {"page": topic_path, "old_title": target["title"], "marker": marker, **freshness}
            say(
                f"  +{published - t0:5.1f} s  published on A (submit, approve, sign-off); B fresh after "
                f"{freshness['first_fresh_ms']} ms"
            )

            # 3. Redis killed, and started again.
            wait_until(max(t0 + plan["redis_down_at"], time.time() + 1))
            timeline["redis_killed"] = time.time()
            redis_server.kill()
            say(f"  +{timeline['redis_killed'] - t0:5.1f} s  Redis killed")

            def save_during_outage():
                for index, marker_name in enumerate(saves[1:3], start=1):
                    wait_until(timeline["redis_killed"] + index * plan["redis_down"] / 3)
                    saver.save(edit["page_id"], marker_name, edit["forms"][marker_name], "while Redis is down")

            outage_saves = threading.Thread(target=save_during_outage, daemon=True)
            outage_saves.start()
            wait_until(timeline["redis_killed"] + plan["redis_down"])
            timeline["redis_start"] = time.time()
            timeline["redis_ready"] = redis_server.start()
            outage_saves.join(timeout=60)
            say(f"  +{timeline['redis_ready'] - t0:5.1f} s  Redis answering again (empty)")
            wait_until(timeline["redis_ready"] + 2)
            saver.save(edit["page_id"], saves[3], edit["forms"][saves[3]], "after Redis is back")

            # 4. Node A lost.
            wait_until(max(t0 + plan["node_lost_at"], time.time() + 3))
            timeline["node_A_killed"] = time.time()
            kill_node(a)
            # As a load balancer would: A's readers go to B (wrk stops on SIGINT and reports what it did).
            wrks["A"].send_signal(signal.SIGINT)
            remaining = round(t0 + plan["duration"] - time.time())
            if remaining >= 1:
                wrks[MOVED] = start_wrk(b, paths, remaining, args.connections, 1, headers=READER_HEADERS)
            checks["A_after_kill"] = fetch(a.base + "/", timeout=2)[0]
            say(
                f"  +{timeline['node_A_killed'] - t0:5.1f} s  node A killed (SIGKILL to its master and workers); "
                f"its wrk load moved to B"
            )
            wait_until(t0 + plan["duration"])
            loads = {name: finish_wrk(process, round(plan["duration"])) for name, process in wrks.items()}
            timeline["load_end"] = time.time()
        finally:
            for sampler in samplers.values():
                sampler.__exit__()
            for process in wrks.values():
                if process.poll() is None:
                    process.kill()
        redis_stats = redis_server.stats()
        checks["workflow_mails"] = mail.messages
    finally:
        for node in nodes.values():
            node.__exit__()
        redis_server.kill()
        mail.__exit__()
        shutil.rmtree(directory, ignore_errors=True)

    # ------------------------------------------------------------ analysis
    def at(moment):
        return f"+{moment - t0:.1f} s"

    published = timeline["publish_published"]
    killed, ready = timeline["redis_killed"], timeline["redis_ready"]
    lost = timeline["node_A_killed"]
    if t0 + plan["duration"] - lost < MIN_ALONE:
        failures.append(f"node A was lost only {t0 + plan['duration'] - lost:.1f} s before the end: events ran late")

    per_node = {}
    for name, node in nodes.items():
        records = samplers[name].records
        # A's readers are judged on what they finished before it was killed (those in flight were cut).
        alive = [record for record in records if name == "B" or record["end"] < lost]
        access, not_json = read_json_lines(node.access_log_path)
        access = [record for record in access if t0 <= record_time(record) <= timeline["load_end"] + 1]
        server_log, server_not_json = read_json_lines(node.log_path)
        errors = [record for record in server_log if record.get("level") in ("ERROR", "CRITICAL")]
        cache_warnings = [record for record in server_log if record.get("logger") == CACHE_BACKEND_LOGGER]
        outage = [record for record in records if killed <= record["start"] <= ready]
        before = [record for record in records if record["start"] < killed and record["start"] > published]
        after_ready = sorted((record for record in alive if record["start"] > ready), key=lambda r: r["start"])
        first_hit = next((record for record in after_ready if record["cache"] == "hit"), None)
        stale = [record for record in alive if record.get("fresh") is False and record["start"] > published]
        per_node[name] = {
            "wrk": loads[name],
            "samplers": {
                "requests": len(records),
                "by_status": count_by(records, "status"),
                "by_class": count_by(records, "class"),
                "cache": count_by([record for record in records if record["cache"]], "cache"),
            },
            "access_log": {
                "requests": len(access),
                "by_status": count_by(access, "status"),
                "5xx": sum(int(record.get("status", 0)) >= 500 for record in access),
            },
            "server_log_errors": len(errors),
            "cache_backend_warnings": [record.get("message", "")[:120] for record in cache_warnings],
            "not_json_lines": not_json + server_not_json,
            "redis_outage": {
                "requests": len(outage),
                "by_class": count_by(outage, "class"),
                "median_ms": latency_ms(outage),
                "median_ms_before": latency_ms(before),
                "cache": count_by([record for record in outage if record["cache"]], "cache"),
            },
            "first_hit_after_redis_back_s": round(first_hit["start"] - ready, 2) if first_hit else None,
            "stale_after_publish": len(stale),
            "watched_after_publish": sum(1 for record in alive if "fresh" in record and record["start"] > published),
        }
        node_failures = [record for record in alive if record["class"] != "ok"]
        if node_failures:
            failures.append(f"node {name}: {len(node_failures)} failed responses, e.g. {node_failures[:2]}")
        if per_node[name]["access_log"]["5xx"]:
            failures.append(f"node {name}: {per_node[name]['access_log']['5xx']} 5xx in its access log")
        if loads[name]["server_errors"]:
            failures.append(f"node {name}: {loads[name]['server_errors']} 5xx seen by wrk")
        if errors:
            failures.append(f"node {name}: {len(errors)} errors in its server log ({node.log_path})")
        if stale:
            failures.append(f"node {name}: {len(stale)} responses with the old title after the publish")
        if not outage:
            failures.append(f"node {name}: no reader was answered while Redis was down")
        if per_node[name]["not_json_lines"]:
            failures.append(f"node {name}: {per_node[name]['not_json_lines']} log lines that are not JSON")

    b_records = samplers["B"].records
    b_alone = [record for record in b_records if record["start"] > lost]
    a_after = [record for record in samplers["A"].records if record["start"] > lost + 0.5]
    b_access, _ = read_json_lines(nodes["B"].access_log_path)
    b_access_alone = [record for record in b_access if lost < record_time(record) <= timeline["load_end"]]
    b_access_before = [record for record in b_access if t0 <= record_time(record) < lost]
    moved = loads.get(MOVED)
    node_loss = {
        "A_killed_at_s": round(lost - t0, 2),
        "A_answering_after": sum(record["status"] is not None for record in a_after),
        "A_refused_after": sum(record["status"] is None for record in a_after),
        "B_alone_seconds": round(timeline["load_end"] - lost, 1),
        "B_samplers_alone": len(b_alone),
        "B_samplers_alone_by_class": count_by(b_alone, "class"),
        "B_access_log_alone": len(b_access_alone),
        "B_access_log_alone_by_status": count_by(b_access_alone, "status"),
        "B_requests_per_second_with_A": round(len(b_access_before) / (lost - t0), 1),
        "B_requests_per_second_alone": round(len(b_access_alone) / (timeline["load_end"] - lost), 1),
        "A_load_moved_to_B": moved,
    }
    if moved is None:
        failures.append("A's load was not moved to B (no time left after the node loss)")
    elif moved["non_2xx_3xx"] or sum(moved["socket_errors"].values()):
        failures.append(f"A's load on B: {moved['non_2xx_3xx']} failed, {moved['socket_errors']} not completed")
    if per_node["B"]["first_hit_after_redis_back_s"] is None:
        failures.append("node B served no cache hit after Redis came back")
    if not b_alone or not b_access_alone:
        failures.append("node B answered nothing after node A was lost")
    if checks["A_after_kill"] is not None or node_loss["A_answering_after"]:
        failures.append("node A still answered after it was killed")
    if loads["B"]["socket_errors"]:
        failures.append(f"node B: requests wrk could not complete: {loads['B']['socket_errors']}")

    publish_check = checks["publish"]
    if publish_check["first_fresh_ms"] is None or publish_check["first_fresh_ms"] > FRESH_WITHIN * 1000:
        failures.append(f"B showed the published title after {publish_check['first_fresh_ms']} ms (limit 1,000)")
    if (
        publish_check["stale_after"]
        or publish_check["A"]["stale_after"]
        or publish_check["A"]["first_fresh_ms"] is None
    ):
        failures.append("a stale answer after the publish while polling")
    if not publish_check["hits_after"]:
        failures.append("B never served the published page from the cache afterwards")
    if checks["shared_cache"] != {"A_renders": "miss", "B_then": "hit"}:
        failures.append(f"the cache is not shared: /feed/ on A then B gave {checks['shared_cache']}")
    unknown = checks["unknown_parameters"]
    if unknown["new_keys"] or unknown["hits"] != unknown["requests"]:
        failures.append(f"unknown query parameters made cache entries: {unknown}")

    check = site.probe("check-edits", str(edit["page_id"]), *[save["marker"] for save in saver.saves])
    for save in saver.saves:
        save["database"] = check["markers"][save["marker"]]["state"]
        whole = save["response"] == "saved" and save["database"] == "whole"
        absent = save["response"] != "saved" and save["database"] == "absent" and save["status"] not in (500, None)
        if not (whole or absent):
            failures.append(f"the save {save['marker']} ({save['kind']}): {save['response']} / {save['database']}")
    if not (check["page_row_points_at_newest_revision"] and check["draft_title_matches_newest_revision"]):
        failures.append("the edited page's row does not match its newest revision")
    workflow = site.probe("workflow-task", str(target["page_id"]))
    if marker not in workflow["live_title"]:
        failures.append(f"the topic's live title is {workflow['live_title']!r}, without {marker}")

    summary = {
        "command": f"make two-nodes{' NODES_ARGS=--short' if args.short else ''}",
        "nodes": {name: node.base for name, node in nodes.items()},
        "redis": redis_server.url,
        "database": database_name(url),
        "plan_seconds": plan,
        "timeline_seconds": {name: round(moment - t0, 2) for name, moment in timeline.items()},
        "checks": checks,
        "per_node": per_node,
        "node_loss": node_loss,
        "redis_at_end": redis_stats,
        "editor_saves": saver.saves,
        "passed": not failures,
        "failures": failures,
    }
    result_path = LOGS / "two-nodes-result.json"
    result_path.write_text(json.dumps(summary, indent=2, default=str) + "\n")

    say("")
    say("TWO NODES RESULT")
    for name in nodes:
        node = per_node[name]
        say(
            f"  node {name}          wrk {node['wrk']['requests']:,} requests "
            f"({node['wrk']['requests_per_second']} req/s), "
            f"by status {format_statuses(node['wrk']['statuses'])}, not completed "
            f"{sum(node['wrk']['socket_errors'].values()):,}{' (cut when A was killed)' if name == 'A' else ''}; "
            f"samplers {node['samplers']['requests']:,}: "
            f"{format_statuses(node['samplers']['by_class'])}; page cache {format_statuses(node['samplers']['cache'])}"
        )
        say(
            f"                  access log {node['access_log']['requests']:,} requests: "
            f"{format_statuses(node['access_log']['by_status'])}; server log errors {node['server_log_errors']}"
        )
    say(
        f"  shared cache    /feed/ rendered on A: {checks['shared_cache']['A_renders']}, then on B: "
        f"{checks['shared_cache']['B_then']}; {unknown['requests']} requests with utm_*/fbclid/ref: "
        f"{unknown['hits']} hits, {unknown['new_keys']} new keys in Redis"
    )
    say(
        f"  publish         on A at {at(published)} (editor submit, clinician approval, moderator sign-off: "
        f"{published - timeline['publish_submit']:.1f} s); B fresh after {publish_check['first_fresh_ms']} ms "
        f"(its first answer: {publish_check['first_fresh_cache']}, stale before it: "
        f"{publish_check['stale_before_fresh']}); then {publish_check['polls_after']} polls, "
        f"{publish_check['stale_after']} stale, {publish_check['hits_after']} cache hits; samplers after the publish: "
        f"A {per_node['A']['watched_after_publish']}, B {per_node['B']['watched_after_publish']} watched answers, "
        f"{per_node['A']['stale_after_publish'] + per_node['B']['stale_after_publish']} stale"
    )
    say(
        f"  Redis outage    killed at {at(killed)}, answering again at {at(ready)} ({ready - killed:.1f} s); "
        + "; ".join(
            f"{name}: {node['redis_outage']['requests']} reads {format_statuses(node['redis_outage']['by_class'])}, "
            f"median {node['redis_outage']['median_ms']} ms (before: {node['redis_outage']['median_ms_before']} ms), "
            f"first hit {node['first_hit_after_redis_back_s']} s after"
            for name, node in per_node.items()
        )
    )
    say(
        "  cache log       "
        + "; ".join(f"{name}: {len(node['cache_backend_warnings'])} warnings" for name, node in per_node.items())
        + " (one 'unavailable' and one 'available again' per worker process at most)"
    )
    say(
        "  editor saves    "
        + ", ".join(f"{save['kind']}: {save['response']} / {save['database']}" for save in saver.saves)
    )
    say(
        f"  node loss       A killed at {at(lost)}; after it A refused {node_loss['A_refused_after']} reads; B alone "
        f"{node_loss['B_alone_seconds']} s: samplers {format_statuses(node_loss['B_samplers_alone_by_class'])}, "
        f"access log {format_statuses(node_loss['B_access_log_alone_by_status'])} "
        f"({node_loss['B_requests_per_second_with_A']} req/s with A, {node_loss['B_requests_per_second_alone']} alone)"
    )
    if moved:
        say(
            f"                  A's wrk load moved to B: {moved['requests']:,} requests, by status "
            f"{format_statuses(moved['statuses'])}, not completed {sum(moved['socket_errors'].values())}, "
            f"p50 {moved['p50_ms']} ms, p99 {moved['p99_ms']} ms"
        )
    say(
        f"  Redis at end    {redis_stats['keys']} keys; since its restart {redis_stats['keyspace_hits']:,} hits, "
        f"{redis_stats['keyspace_misses']:,} misses; workflow mails (to the run's SMTP sink): {mail.messages}"
    )
    return verdict(failures, result_path)


if __name__ == "__main__":
    sys.exit(main())
