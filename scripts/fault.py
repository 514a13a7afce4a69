"""`make fault`: restart PostgreSQL in the middle of the soak; readers get the styled 503, then everything works again.

The soak's set-up and load (scripts/soak.py: the production server on the discsite_soak database,
wrk at 32 connections over the public mix, loopback only), and in the middle of it PostgreSQL is
stopped (pg_ctlcluster ... stop: fast shutdown, so open sessions are cut), left down for --down
seconds (default 5) and started again. Meanwhile:

- samplers (Python clients beside wrk, which keeps no bodies) read the public mix, each request
  numbered in its query string (`_probe`, which the page cache ignores; no cache answers for the
  database anyway, since every request reads the content version from it); every 5xx they get
  must be the styled 503 page (templates/503.html, with Retry-After), never a traceback or a 500;
- an editor, logged in to the admin before the outage as a superuser made for the run, saves a
  draft of a live question page: once before (the control), back to back while PostgreSQL stops,
  once during the outage and once after it. Every save must be in the database whole (the new
  revision with the marker in its title, short answer and full answer, the page row pointing at it,
  the edit logged) or not at all, and a save that did not go through must have shown an error page;
- the server's access log (JSON lines, scripts/logs/fault-access.log) gives every request's time and
  status: no request may fail before the stop, and the last failure must come within --recovery
  seconds (default 5) of PostgreSQL accepting connections again; 500 is never acceptable;
- pg_stat_activity shows the server's persistent connections (CONN_MAX_AGE=60, health-checked)
  replaced after the restart and reused from then on (one per worker, not one per request).

PostgreSQL is restarted with `pg_ctlcluster --skip-systemctl-redirect <version> main stop|start`
(the cluster in /etc/postgresql, or --cluster); the database URL must be on the loopback. If anything
goes wrong PostgreSQL is started again before the script exits. Prints a summary, writes
scripts/logs/fault-result.json, and exits 1 if a requirement failed.

Usage: .venv/bin/python scripts/fault.py [--duration 60] [--outage-at 20] [--down 5] [--recovery 5]
"""

# A local tool that restarts the local PostgreSQL cluster (its readers and editor are in loadtest.py):
# ruff: noqa: S603
import argparse
import json
import secrets
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from loadtest import (
    ADMIN_USERNAME,
    APPLICATION_NAME,
    LOGS,
    Editor,
    Samplers,
    Server,
    add_load_arguments,
    admin_url,
    check_urls,
    database_name,
    finish_wrk,
    format_statuses,
    prepare,
    read_json_lines,
    record_time,
    say,
    start_wrk,
    verdict,
)

# ---------------------------------------------------------------- PostgreSQL


def cluster_from_system():
    versions = sorted(path.name for path in Path("/etc/postgresql").glob("*") if (path / "main").is_dir())
    if not versions:
        raise SystemExit("no PostgreSQL cluster in /etc/postgresql; give --cluster VERSION/NAME")
    return f"{versions[-1]}/main"


def pg_ctl_command(cluster, action):
    version, name = cluster.split("/")
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action]


def pg_ctl(cluster, action):
    result = subprocess.run(pg_ctl_command(cluster, action), capture_output=True, text=True, check=False, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"pg_ctlcluster {action} failed: {result.stderr.strip() or result.stdout.strip()}")


def start_and_wait(cluster, url):
    """Start the cluster; return the moment it first accepted a connection (polled every 50 ms while
    pg_ctlcluster runs, since it may return later than that)."""
    process = subprocess.Popen(
        pg_ctl_command(cluster, "start"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    deadline = time.monotonic() + 120
    while not accepting(url):
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("PostgreSQL did not accept connections within 120 s of the start")
        if process.poll() not in (None, 0):
            raise RuntimeError(f"pg_ctlcluster start failed: {process.stdout.read().strip()}")
        time.sleep(0.05)
    ready = time.time()
    output, _ = process.communicate(timeout=120)
    if process.returncode != 0:
        raise RuntimeError(f"pg_ctlcluster start failed: {output.strip()}")
    return ready


def accepting(url):
    import psycopg

    try:
        with psycopg.connect(admin_url(url), connect_timeout=1) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def site_connections(url):
    """The server's connections in pg_stat_activity: pid and age in seconds."""
    import psycopg

    with psycopg.connect(admin_url(url)) as conn:
        rows = conn.execute(
            "SELECT pid, EXTRACT(EPOCH FROM now() - backend_start)::float FROM pg_stat_activity "
            "WHERE application_name = %s AND datname = %s ORDER BY pid",
            (APPLICATION_NAME, database_name(url)),
        ).fetchall()
    return [{"pid": pid, "age_seconds": round(age, 1)} for pid, age in rows]


def other_clients(url):
    """Who else is connected to this PostgreSQL (other databases, other tools), to say so in the report."""
    import psycopg

    with psycopg.connect(admin_url(url)) as conn:
        rows = conn.execute(
            "SELECT datname, count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
            "AND pid <> pg_backend_pid() AND coalesce(application_name, '') <> %s GROUP BY datname ORDER BY datname",
            (APPLICATION_NAME,),
        ).fetchall()
    return {name or "-": count for name, count in rows}


# ---------------------------------------------------------------- the run


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_load_arguments(parser)
    parser.add_argument("--samplers", type=int, default=4, help="Python clients checking bodies (default 4)")
    parser.add_argument("--outage-at", type=float, default=20, help="seconds into the load to stop PostgreSQL")
    parser.add_argument("--down", type=float, default=5, help="seconds PostgreSQL stays down (default 5)")
    parser.add_argument("--recovery", type=float, default=5, help="seconds allowed to recover (default 5)")
    parser.add_argument("--cluster", help="VERSION/NAME of the cluster to restart (default: the one installed)")
    parser.add_argument("--fresh", action="store_true", help="drop and re-create the soak database first")
    args = parser.parse_args()
    for tool in ("wrk", "pg_ctlcluster"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is not installed")
    if args.outage_at + args.down + args.recovery + 10 > args.duration:
        raise SystemExit("--duration must leave at least 10 s of load after the outage and the recovery")
    cluster = args.cluster or cluster_from_system()

    site = prepare(fresh=args.fresh)
    urls = site.probe("urls")
    paths = list(urls.values())
    # Unique to this run, and none a part of another: "[1a2b3c-race-07]".
    run = secrets.token_hex(3)
    control_marker, during_marker, after_marker = (f"[{run}-{name}]" for name in ("control", "during", "after"))
    race_markers = [f"[{run}-race-{n:02d}]" for n in range(1, 31)]
    edit = site.probe("edit-form", control_marker, *race_markers, during_marker, after_marker)
    page_id, forms = edit["page_id"], edit["forms"]

    stopped = False
    timeline = {}
    with Server(site, "fault") as server:
        check_urls(server, urls)
        editor = Editor(server.base)
        editor.login(ADMIN_USERNAME, site.admin_password)
        control = editor.save(page_id, control_marker, forms[control_marker], "control, before the outage")
        if control["response"] != "saved":
            raise SystemExit(f"the editor's control save did not go through ({control}); see {server.log_path}")
        others = other_clients(site.url)

        say(
            f"fault: {args.duration} s at {args.connections} connections + {args.samplers} samplers against "
            f"{server.base}; PostgreSQL ({cluster}) stops at +{args.outage_at:.0f} s for {args.down:.0f} s"
        )
        if others:
            say(f"  other clients of this PostgreSQL, cut by the restart: {others}")
        t0 = time.time()
        timeline["load_start"] = t0
        wrk = start_wrk(server, paths, args.duration, args.connections, args.threads)
        try:
            with Samplers(server.base, paths, args.samplers, unique="_probe") as samplers:
                # Three editors' tabs saving back to back from two seconds before the stop until two
                # seconds after it, so that some saves are in flight when PostgreSQL cuts its sessions.
                pending = iter(race_markers)
                pending_lock = threading.Lock()

                def race():
                    while time.time() <= timeline.get("stop_begin", float("inf")) + 2:
                        with pending_lock:
                            marker = next(pending, None)
                        if marker is None:
                            return
                        editor.save(page_id, marker, forms[marker], "racing the stop")

                time.sleep(max(0, t0 + args.outage_at - 2 - time.time()))
                racers = [threading.Thread(target=race, daemon=True) for _ in range(3)]
                for racer in racers:
                    racer.start()
                time.sleep(max(0, t0 + args.outage_at - 0.5 - time.time()))
                connections_before = site_connections(site.url)
                time.sleep(max(0, t0 + args.outage_at - time.time()))
                timeline["stop_begin"] = time.time()
                stopped = True
                pg_ctl(cluster, "stop")
                timeline["stop_done"] = time.time()
                say(f"  +{timeline['stop_done'] - t0:5.1f} s  PostgreSQL stopped")
                time.sleep(1.5)
                editor.save(page_id, during_marker, forms[during_marker], "during the outage")
                time.sleep(max(0, timeline["stop_done"] + args.down - time.time()))
                timeline["start_begin"] = time.time()
                timeline["ready"] = start_and_wait(cluster, site.url)
                stopped = False
                say(f"  +{timeline['ready'] - t0:5.1f} s  PostgreSQL accepting connections again")
                for racer in racers:
                    racer.join(timeout=60)
                time.sleep(max(0, timeline["ready"] + args.recovery + 1 - time.time()))
                editor.save(page_id, after_marker, forms[after_marker], "after the outage")
                load = finish_wrk(wrk, args.duration)
                timeline["load_end"] = time.time()
        finally:
            if stopped:
                say("  starting PostgreSQL again after an error")
                pg_ctl(cluster, "start")
            if wrk.poll() is None:
                wrk.kill()
        connections_after = site_connections(site.url)

    # ------------------------------------------------------------ analysis
    ready = timeline["ready"]
    stop_begin = timeline["stop_begin"]
    access, access_not_json = read_json_lines(server.access_log_path)
    access = [
        {**record, "t": record_time(record)}
        for record in access
        if timeline["load_start"] <= record_time(record) <= timeline["load_end"] + 1
    ]
    failed = [record for record in access if not 200 <= int(record.get("status", 0)) < 400]
    statuses = {}
    for record in access:
        statuses[int(record["status"])] = statuses.get(int(record["status"]), 0) + 1
    server_records, server_not_json = read_json_lines(server.log_path)
    logged_503 = [record for record in server_records if record.get("status") == 503]

    sampled = samplers.records
    sampled_failures = [record for record in sampled if record["class"] != "ok"]
    sampled_during = [record for record in sampled if stop_begin <= record["start"] <= ready]
    styled = [record for record in sampled if record["class"] == "styled-503"]
    unstyled = [record for record in sampled_failures if record["class"] != "styled-503"]

    check = site.probe("check-edits", str(page_id), *[save["marker"] for save in editor.saves])
    for save in editor.saves:
        save["database"] = check["markers"][save["marker"]]["state"]

    failures = []
    if [record for record in failed if int(record["status"]) == 500]:
        failures.append("500 responses (the traceback path) in the access log")
    early = [record for record in failed if record["t"] < stop_begin]
    if early:
        failures.append(f"{len(early)} failures before PostgreSQL was stopped")
    last_failure = max((record["t"] for record in failed), default=None)
    first_failure = min((record["t"] for record in failed), default=None)
    sampled_last_failure = max((record["end"] for record in sampled_failures), default=None)
    first_success_after_ready = min(
        (record["t"] for record in access if record["t"] >= ready and 200 <= int(record["status"]) < 400), default=None
    )
    after_last_failure = [record for record in access if last_failure is None or record["t"] > last_failure]
    if last_failure is not None and last_failure - ready > args.recovery:
        failures.append(f"the last failure came {last_failure - ready:.1f} s after PostgreSQL was back")
    if sampled_last_failure is not None and sampled_last_failure - ready > args.recovery:
        failures.append(
            f"a sampler's last failure came {sampled_last_failure - ready:.1f} s after PostgreSQL was back"
        )
    if not styled:
        failures.append("no sampler saw the styled 503 page during the outage")
    if unstyled:
        failures.append(f"{len(unstyled)} failed responses that were not the styled 503: {unstyled[:3]}")
    if load["socket_errors"]:
        failures.append(f"requests wrk could not complete: {load['socket_errors']}")
    for save in editor.saves:
        if save["database"] == "partial":
            failures.append(f"the save {save['marker']} is in the database only in part")
        if save["response"] == "saved" and save["database"] != "whole":
            failures.append(f"the save {save['marker']} was reported saved but is {save['database']}")
        if save["response"] not in ("saved", "styled-503"):
            failures.append(f"the save {save['marker']} got {save['response']}, neither saved nor the error page")
    during = next(save for save in editor.saves if save["marker"] == during_marker)
    after = next(save for save in editor.saves if save["marker"] == after_marker)
    if during["response"] != "styled-503":
        failures.append(f"the save during the outage got {during['response']}, not the error page")
    if after["response"] != "saved":
        failures.append(f"the save after the outage got {after['response']}")
    if not (check["page_row_points_at_newest_revision"] and check["draft_title_matches_newest_revision"]):
        failures.append("the page row does not match its newest revision")
    if not connections_after:
        failures.append("the server holds no database connection after the restart")
    if {c["pid"] for c in connections_before} & {c["pid"] for c in connections_after}:
        failures.append("connections from before the restart are still there")
    if len(connections_after) > 2 or any(c["age_seconds"] < 10 for c in connections_after):
        failures.append(f"connections after the restart are not persistent: {connections_after}")
    if access_not_json or server_not_json:
        failures.append(f"{access_not_json + server_not_json} log lines that are not JSON")

    def at(moment):
        return f"+{moment - t0:.2f} s"

    in_flight = [save for save in editor.saves if save["start"] < timeline["stop_done"] and save["end"] > stop_begin]
    in_flight_outcomes = ", ".join(sorted({f"{save['response']} / {save['database']}" for save in in_flight}))
    by_response = {}
    for save in editor.saves:
        key = f"{save['response']} / {save['database']}"
        by_response[key] = by_response.get(key, 0) + 1
    summary = {
        "command": "make fault",
        "cluster": cluster,
        "timeline_seconds": {name: round(moment - t0, 2) for name, moment in timeline.items()},
        "first_failure_seconds": round(first_failure - t0, 2) if first_failure else None,
        "last_failure_seconds": round(last_failure - t0, 2) if last_failure else None,
        "last_failure_after_ready_seconds": round(last_failure - ready, 2) if last_failure else None,
        "first_success_after_ready_seconds": (
            round(first_success_after_ready - ready, 2) if first_success_after_ready else None
        ),
        "requests_after_last_failure": len(after_last_failure),
        "load": load,
        "access_log_statuses": statuses,
        "samplers": {
            "requests": len(sampled),
            "during_outage": len(sampled_during),
            "styled_503": len(styled),
            "other_failures": len(unstyled),
        },
        "editor_saves": editor.saves,
        "editor_saves_in_flight_at_stop": len(in_flight),
        "page_check": check,
        "connections_before": connections_before,
        "connections_after": connections_after,
        "other_clients_at_restart": others,
        "passed": not failures,
        "failures": failures,
    }
    (LOGS / "fault-result.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")

    say("")
    say("FAULT RESULT")
    say(
        f"  load            {load['requests']:,} requests in {load['seconds']} s "
        f"({load['requests_per_second']} req/s), "
        f"wrk by status: {format_statuses(load['statuses'])}; not completed: {sum(load['socket_errors'].values())}"
    )
    say(
        f"  access log      {len(access):,} requests; by status: {format_statuses(dict(sorted(statuses.items())))}; "
        f"{len(logged_503):,} 503s logged by Django"
    )
    say(
        f"  PostgreSQL      stop at {at(stop_begin)} (down at {at(timeline['stop_done'])}), start at "
        f"{at(timeline['start_begin'])}, accepting connections at {at(ready)}"
    )
    if first_failure:
        say(
            f"  failures        first at {at(first_failure)} ({first_failure - stop_begin:+.2f} s from the stop), "
            f"last at {at(last_failure)} ({last_failure - ready:+.2f} s from PostgreSQL accepting connections; "
            f"limit {args.recovery:.0f} s)"
        )
        if first_success_after_ready is not None:
            say(
                f"  recovery        first success after PostgreSQL was back at {at(first_success_after_ready)} "
                f"({first_success_after_ready - ready:+.2f} s); after the last failure {len(after_last_failure):,} "
                f"requests, all 2xx/3xx"
            )
    else:
        say("  failures        none at all (every request was answered without the database?)")
    say(
        f"  readers         samplers: {len(sampled):,} requests, {len(sampled_during)} during the outage, "
        f"{len(styled)} styled 503 pages (Retry-After, no traceback), {len(unstyled)} other failures"
    )
    say(f"  editor saves    {len(editor.saves)}: " + ", ".join(f"{count} {key}" for key, count in by_response.items()))
    say(
        f"                  during the outage: {during['response']} / {during['database']}; "
        f"after: {after['response']} / {after['database']}; in flight while PostgreSQL stopped: "
        f"{len(in_flight)} ({in_flight_outcomes}); "
        f"partial: {sum(save['database'] == 'partial' for save in editor.saves)}"
    )
    say(
        f"  connections     the server's (CONN_MAX_AGE=60) at the stop: {len(connections_before)}, "
        f"ages {[c['age_seconds'] for c in connections_before]} s; at the end: {len(connections_after)}, all new, "
        f"ages {[c['age_seconds'] for c in connections_after]} s (opened after the restart, reused since)"
    )
    return verdict(failures, LOGS / "fault-result.json")


if __name__ == "__main__":
    sys.exit(main())
