"""`make soak`: the production server on PostgreSQL under steady load; it must answer every request.

1. Creates (or reuses) the soak database, discsite_soak on 127.0.0.1:5432 unless SOAK_DATABASE_URL
   names another local one, and migrates and seeds it (scripts/loadtest.py).
2. Serves the site as in production: gunicorn.conf.py (2 sync workers), the production settings,
   CONN_MAX_AGE=60; on a free port of 127.0.0.1.
3. Loads it with wrk for --duration seconds (default 60) at --connections (default 32), over a mix
   of public URLs in turn: home, the four indexes, a Q&A, an article, an expert, a topic, search
   and the feed (scripts/load.lua).
4. Reports requests, throughput, responses by status, errors (non-2xx/3xx, and requests wrk could
   not complete), latency p50/p90/p99, and what the server logged; exits 1 unless there were no
   errors and no server errors at all.

Usage: .venv/bin/python scripts/soak.py [--duration 60] [--connections 32] [--threads 2] [--fresh]
"""

import argparse
import json
import os
import shutil
import sys
import time

from loadtest import (
    LOGS,
    Server,
    add_load_arguments,
    check_urls,
    database_name,
    format_statuses,
    prepare,
    read_json_lines,
    run_wrk,
    say,
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_load_arguments(parser)
    parser.add_argument("--fresh", action="store_true", help="drop and re-create the soak database first")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk (make soak does it)")

    site = prepare(fresh=args.fresh)
    urls = site.probe("urls")
    say(f"mix of {len(urls)} URLs: {', '.join(urls.values())}")
    with Server(site, "soak") as server:
        check_urls(server, urls)
        say(
            f"soak: {args.duration} s at {args.connections} connections ({args.threads} wrk threads) "
            f"against {server.base} (gunicorn, 2 workers, production settings, PostgreSQL "
            f"{database_name(site.url)}); {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
        )
        started = time.time()
        result = run_wrk(server, list(urls.values()), args.duration, args.connections, args.threads)
        finished = time.time()
    log_records, not_json = read_json_lines(server.log_path)
    access_records, access_not_json = read_json_lines(server.access_log_path)
    logged_errors = [record for record in log_records if record.get("level") in ("ERROR", "CRITICAL")]
    access_5xx = [record for record in access_records if int(record.get("status", 0)) >= 500]

    socket_errors = sum(result["socket_errors"].values())
    failures = []
    if result["server_errors"] or access_5xx:
        failures.append(f"{max(result['server_errors'], len(access_5xx))} server errors (5xx)")
    if result["non_2xx_3xx"]:
        failures.append(f"{result['non_2xx_3xx']} responses that were not 2xx/3xx")
    if socket_errors:
        failures.append(f"{socket_errors} requests not completed ({result['socket_errors']})")
    if logged_errors:
        failures.append(f"{len(logged_errors)} errors in the server's log ({server.log_path})")
    if not_json or access_not_json:
        failures.append(f"{not_json + access_not_json} log lines that are not JSON")

    summary = {
        "command": "make soak",
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "duration_seconds": round(finished - started, 1),
        "connections": args.connections,
        "urls": urls,
        **result,
        "access_log_lines": len(access_records),
        "server_log_errors": len(logged_errors),
        "passed": not failures,
        "failures": failures,
    }
    (LOGS / "soak-result.json").write_text(json.dumps(summary, indent=2) + "\n")

    say("")
    say("SOAK RESULT")
    say(f"  requests        {result['requests']:,} in {result['seconds']} s ({result['requests_per_second']} req/s)")
    say(f"  by status       {format_statuses(result['statuses'])}")
    say(
        f"  errors          {result['non_2xx_3xx']} non-2xx/3xx, {result['server_errors']} server errors (5xx), "
        f"{socket_errors} not completed"
    )
    say(
        f"  latency         p50 {result['p50_ms']} ms, p90 {result['p90_ms']} ms, p99 {result['p99_ms']} ms, "
        f"max {result['max_ms']} ms"
    )
    say(
        f"  server log      {len(access_records):,} access lines, {len(logged_errors)} errors "
        f"({server.log_path.relative_to(LOGS.parent.parent)})"
    )
    say(f"  verdict         {'PASS: 0 server errors' if not failures else 'FAIL: ' + '; '.join(failures)}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
