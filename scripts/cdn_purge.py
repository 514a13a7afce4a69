"""`make cdn`: the CDN purge on publish (wagtail.contrib.frontend_cache) against a real Varnish.

Everything on this machine, loopback only, in a temporary directory removed at the end:

- a SQLite database of its own, migrated and seeded (`manage.py seed`), with an editor, a clinical
  reviewer (linked to a live expert profile) and a moderator made for the run (scripts/ops_probe.py);
- the site as in production: gunicorn with gunicorn.conf.py (2 sync workers) and the production
  settings on a free port, told to purge a CDN by FRONTEND_CACHE_PURGE_URL (docs/deploy.md), which
  points at
- varnishd (Debian's) on another free port in front of it, in the foreground, with its own working
  directory (-n) and scripts/varnish.vcl: anonymous GETs cached for the site's s-maxage, PURGE from
  the loopback only. Readers ask for the site's host name (the Site record's, "localhost" after the
  seed), as Wagtail's purge names it.

Then:

1. Warm: a question page, its section index, a topic it is tagged with, its answering expert's
   profile, the profile of the clinician who will review it, the home page and an unrelated page
   (another expert's profile) are read through Varnish until each is a HIT (X-Varnish with two
   numbers; the VCL's X-Cache says the same). The full form also warms every other public page.
2. Publish, as the people who do it, over HTTP through Varnish (their session cookies make it pass
   them on): the editor retitles the page and submits it to the clinical review, the clinician
   approves, the moderator signs off, which publishes. In the full form, two readers poll the
   question page and its section through Varnish (every 20 ms) all the while.
3. Check, the moment the sign-off returns: the question page and the pages listing it (section,
   topic, expert, home) are a MISS at once, show the new title, and are a HIT again with it; the
   unrelated page is still a HIT (the purge was targeted); every PURGE Varnish received came from
   Wagtail (its User-Agent) on the loopback with the site's host; the site logged as many purges as
   Varnish received; no response was a 5xx and the server logged no ERROR.
   Pages that show the question and were not purged (the reviewer's profile, whose review record is
   stamped after the purge; in the full form, every other warmed page that still shows the old title
   through Varnish while the site shows the new one) are reported; --strict makes them failures.

Prints a report, writes cdn-result.json and the servers' logs to scripts/logs/ (or --logs) and exits
1 if a check failed. --short (CI's step, under a minute with the set-up) leaves out the whole-site
crawl and the readers during the publish.

Usage: .venv/bin/python scripts/cdn_purge.py [--short] [--strict] [--logs DIR]
"""

# A local tool that starts varnishd and gunicorn and talks to them on 127.0.0.1:
# ruff: noqa: S603
import argparse
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from loadtest import LOGS, Editor, read_json_lines, say
from two_nodes import MailSink, publish

from bench.serving import HOST, ROOT, Server, clean_env, fetch, free_port, run_json

VCL = Path(__file__).resolve().parent / "varnish.vcl"
VCL_BACKEND_PORT = '.port = "8000";'
ROLES_PREFIX = "cdn"
# Variables that would point the run's server at something other than its own Varnish, or send it to HTTPS.
NOT_INHERITED = (
    "FRONTEND_CACHE_PURGE_URL",
    "CLOUDFLARE_API_TOKEN",
    "CLOUDFLARE_ZONE_ID",
    "CLOUDFRONT_DISTRIBUTION_ID",
    "BEHIND_HTTPS_PROXY",
    "OPENSEARCH_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "SOAK_SETTINGS_MODULE",
)
WAGTAIL_PURGE_AGENT = "Wagtail-frontendcache/"
PURGE_LOGGER = "wagtail.frontendcache"
# Pages that show the published page but that listed_on() is known to miss at the moment of the purge:
# the profile of the clinician whose approval is published (articles.review.stamp_review_record sets
# reviewed_by after discsite.core.invalidation.purge_page_and_pages_showing has run). Reported, not failed,
# unless --strict.
LISTING_GAPS = {"reviewer"}
READER_INTERVAL = 0.02  # seconds between one reader's reads during the publish (the full form)


# ---------------------------------------------------------------- Varnish


class Varnish:
    """varnishd in the foreground on 127.0.0.1:`port`, its working directory (-n) under `directory`,
    scripts/varnish.vcl with the backend at 127.0.0.1:`backend_port`. No privilege separation (-j none): it runs
    as whoever runs this, so the temporary directory needs no other owner."""

    def __init__(self, directory, port, backend_port, log_path):
        self.binary = shutil.which("varnishd") or "/usr/sbin/varnishd"
        self.port = port
        self.base = f"http://{HOST}:{self.port}"
        self.workdir = Path(directory) / "varnish"
        self.vcl_path = Path(directory) / "varnish.vcl"
        self.log_path = Path(log_path)
        text = VCL.read_text()
        if VCL_BACKEND_PORT not in text:
            raise SystemExit(f"{VCL} no longer says {VCL_BACKEND_PORT}, which this script replaces")
        self.vcl_path.write_text(text.replace(VCL_BACKEND_PORT, f'.port = "{backend_port}";'))
        self.process = None
        self.log = None

    def __enter__(self):
        self.log = self.log_path.open("w")
        command = [self.binary, "-F", "-j", "none", "-n", str(self.workdir), "-a", f"{HOST}:{self.port}"]
        command += ["-T", "none", "-f", str(self.vcl_path), "-s", "malloc,64m", "-p", "thread_pool_min=5"]
        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True, cwd=self.workdir.parent
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise SystemExit(f"varnishd did not start; see {self.log_path}")
                with socket.socket() as sock:
                    sock.settimeout(0.5)
                    if sock.connect_ex((HOST, self.port)) == 0:
                        return self
                time.sleep(0.05)
            raise SystemExit(f"varnishd did not listen on {self.base} within 30 s; see {self.log_path}")
        except BaseException:
            self.__exit__()
            raise

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the manager stops its child
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if self.log:
            self.log.close()

    def tool(self, name, *args):
        result = subprocess.run(
            [shutil.which(name) or f"/usr/bin/{name}", "-n", str(self.workdir), *args],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        if result.returncode != 0:
            raise SystemExit(f"{name} failed: {result.stderr.strip()}")
        return result.stdout

    def counters(self, *names):
        data = json.loads(self.tool("varnishstat", "-j", *[arg for name in names for arg in ("-f", name)]))
        counters = data.get("counters", data)  # varnishstat 6.5+ nests them
        return {name: counters[name]["value"] for name in names if name in counters}

    def purges_received(self):
        """Every PURGE request still in Varnish's shared-memory log: URL, Host, User-Agent, client, outcome."""
        tags = "ReqStart,ReqURL,ReqHeader,RespStatus,Timestamp"
        output = self.tool("varnishlog", "-d", "-g", "request", "-q", 'ReqMethod eq "PURGE"', "-i", tags)
        purges, current = [], None
        for line in output.splitlines():
            fields = line.split(None, 2)
            if line.startswith("*") and "Request" in line:
                current = {}
                purges.append(current)
            elif current is not None and len(fields) == 3 and fields[0] == "-":
                tag, value = fields[1], fields[2].strip()
                if tag == "ReqStart":
                    current["client"] = value.split()[0]
                elif tag == "ReqURL":
                    current["path"] = value
                elif tag == "ReqHeader" and ":" in value:
                    name, _, header = value.partition(":")
                    if name.lower() in ("host", "user-agent"):
                        current[name.lower()] = header.strip()
                elif tag == "RespStatus":
                    current["status"] = int(value)
                elif tag == "Timestamp" and value.startswith("Start:"):
                    current["time"] = float(value.split()[1])
        return purges


# ---------------------------------------------------------------- reading through Varnish


class Reader:
    """Anonymous GETs through Varnish with the site's Host header; every response kept."""

    def __init__(self, base, host):
        self.base, self.headers = base, {"Host": host}
        self.responses = []
        self.lock = threading.Lock()

    def get(self, path, label=""):
        started = time.time()
        status, headers, body, seconds = fetch(self.base + path, timeout=30, headers=self.headers)
        ids = headers.get("X-Varnish", "").split()
        response = {
            "path": path,
            "label": label,
            "start": started,
            "ms": round(seconds * 1000, 1),
            "status": status,
            "cache": "HIT" if len(ids) == 2 else "MISS" if len(ids) == 1 else None,
            "x_cache": headers.get("X-Cache"),
            "age": int(headers["Age"]) if headers.get("Age", "").isdigit() else None,
            "body": body,
        }
        with self.lock:
            self.responses.append(response)
        return response


def shows(body, text):
    return text.encode() in body or html.escape(text).encode() in body


def warm(reader, paths, label):
    """Read each path until Varnish answers it from its cache (at most 4 reads); the answers."""
    answers = {}
    for path in paths:
        for _ in range(4):
            answer = reader.get(path, label)
            if answer["cache"] == "HIT" or answer["status"] != 200:
                break
        answers[path] = answer
    return answers


# ---------------------------------------------------------------- the Django side (`cdn_purge.py probe ...`)


def probe_setup(marker, log_path):
    """Run in a process of its own with the site's settings and database: migrate, seed and collect the
    static files (their output in `log_path`); then the people, the question page to publish (out of the
    workflow the seed put it in), the editor's form that retitles and submits it, and the pages around
    it (JSON)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from ops_probe import answer_form, ensure_roles, out_of_review
    from wagtail.models import Page, Site
    from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

    from articles.models import QuestionPage
    from experts.models import ExpertPage

    # A scratch database: no waiting for the disk while it is built (half the migrations' time). Only this
    # connection; the servers' own are SQLite's defaults.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.execute("PRAGMA journal_mode = MEMORY")
    timings = {}
    with open(log_path, "a") as log:
        for command, options in (
            ("migrate", {"interactive": False}),
            ("seed", {}),
            ("collectstatic", {"interactive": False}),
        ):
            started = time.monotonic()
            call_command(command, verbosity=0, stdout=log, stderr=log, **options)
            timings[f"{command}_s"] = round(time.monotonic() - started, 1)
    roles = ensure_roles(ROLES_PREFIX)
    clinician = get_user_model().objects.get(username=roles["users"]["clinician"])
    profile = ExpertPage.objects.get(user=clinician)
    page = topics = None
    for candidate in QuestionPage.objects.live().public().order_by("path"):
        paragraphs = all(block.block_type == "paragraph" for block in candidate.body)
        simple = paragraphs and not candidate.pinned_voices.exists()
        topics = [tag.topic_page for tag in candidate.tags.all() if hasattr(tag, "topic_page")]
        if simple and topics and candidate.author_id not in (None, profile.pk):
            page = candidate
            break
    if page is None:
        raise SystemExit("no live question page with a plain body, a topic and another expert as its author")
    out_of_review(page)
    title = re.sub(r"(?: \[[\w-]+\])+$", "", page.title)  # without the markers of earlier runs
    body = streamfield(
        [("paragraph", rich_text(block.value.source, features=["bold", "italic", "link"])) for block in page.body]
    )
    data = answer_form(page, title=f"{title} {marker}", summary=page.summary, body=body)
    data["action-submit"] = "Submit to Clinical review"
    listed_on = [listing.url for listing in page.listed_on()]
    unrelated = (
        ExpertPage.objects.live()
        .public()
        .exclude(pk__in=[page.author_id, page.reviewed_by_id, profile.pk])
        .order_by("path")
        .first()
    )
    site = Site.objects.get(is_default_site=True)
    everything = [p.url for p in Page.objects.live().public().filter(depth__gt=1).specific().order_by("path")]
    return {
        "timings": timings,
        "host": site.hostname if site.port == 80 else f"{site.hostname}:{site.port}",
        "page": {"id": page.pk, "url": page.url, "title": page.title, "new_title": data["title"]},
        "form": nested_form_data(data),
        "users": roles["users"],
        "pages": {
            "question": page.url,
            "section": page.get_parent().url,
            "topic": topics[0].url,
            "expert": page.author.url,
            "reviewer": profile.url,
            "home": site.root_page.url,
            "unrelated": unrelated.url,
        },
        "listed_on_before": listed_on,
        "all_pages": [*everything, "/feed/", "/sitemap.xml"],
    }


def probe_after(page_id):
    """What the database says after the publish: the live title, and what `listed_on()` gives now (JSON)."""
    import django

    django.setup()
    from articles.models import QuestionPage

    page = QuestionPage.objects.get(pk=page_id)
    return {
        "live_title": page.title,
        "has_unpublished_changes": page.has_unpublished_changes,
        "reviewed_by": page.reviewed_by.url if page.reviewed_by else None,
        "listed_on": [listing.url for listing in page.listed_on()],
    }


def probe(argv):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "discsite.settings.production")
    if argv[:1] == ["setup"] and len(argv) == 3:
        result = probe_setup(argv[1], argv[2])
    elif argv[:1] == ["after"] and len(argv) == 2:
        result = probe_after(int(argv[1]))
    else:
        raise SystemExit("usage: cdn_purge.py probe setup MARKER LOG | after PAGE_ID")
    json.dump(result, sys.stdout)


# ---------------------------------------------------------------- the run


class Run:
    def __init__(self, args):
        self.args = args
        self.full = not args.short
        self.logs = Path(args.logs).resolve() if args.logs else LOGS
        self.failures = []
        self.gaps = []  # pages that show the published page and were not purged (failures with --strict)
        self.timings = {}
        self.setup_timings = {}

    def fail(self, message):
        self.failures.append(message)

    def timed(self, name, started):
        self.timings[name] = round(time.monotonic() - started, 2)


def stopped(signum, frame):
    raise SystemExit(f"stopped by signal {signum}")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["probe"]:
        probe(argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="the CI form: no whole-site crawl, no readers")
    parser.add_argument("--strict", action="store_true", help="fail, not only report, on pages left unpurged")
    parser.add_argument("--logs", help="where the logs and cdn-result.json go (default scripts/logs/)")
    args = parser.parse_args(argv)
    if not (shutil.which("varnishd") or Path("/usr/sbin/varnishd").exists()):
        raise SystemExit("varnishd is not installed: apt-get install -y varnish (make cdn does it)")
    # Stopped from outside (a CI timeout, kill): stop varnishd and gunicorn too, which run in sessions of their own.
    signal.signal(signal.SIGTERM, stopped)
    run = Run(args)
    run.logs.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    directory = Path(tempfile.mkdtemp(prefix="discsite-cdn-"))
    try:
        return execute(run, directory, started)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def execute(run, directory, started):
    logs = run.logs
    password = secrets.token_urlsafe(24)
    env = clean_env(
        DJANGO_SETTINGS_MODULE="discsite.settings.production",
        SECRET_KEY="cdn-local-only-not-secret-" + secrets.token_urlsafe(40),
        ALLOWED_HOSTS=f"{HOST},localhost",
        DATABASE_URL=f"sqlite:///{directory / 'cdn.sqlite3'}",
        SOAK_ADMIN_PASSWORD=password,  # ops_probe.ensure_roles's name for the people's password
    )
    for name in NOT_INHERITED:
        env.pop(name, None)

    # 1. The database.
    step = time.monotonic()
    manage_log = logs / "cdn-manage.log"
    manage_log.unlink(missing_ok=True)
    marker = f"[cdn-{secrets.token_hex(3)}]"
    site = run_json(["scripts/cdn_purge.py", "probe", "setup", marker, str(manage_log)], env)
    run.timed("database_s", step)
    run.setup_timings = site.pop("timings")
    host = site["host"]
    say(f"database: SQLite in {directory}, migrated and seeded ({run.timings['database_s']:.0f} s)")

    # 2. The servers: varnishd first (its port goes into the site's FRONTEND_CACHE_PURGE_URL).
    step = time.monotonic()
    mail = MailSink().__enter__()
    varnish = server = None
    try:
        varnish_port = free_port()
        server = Server(
            "cdn",
            {
                **env,
                "FRONTEND_CACHE_PURGE_URL": f"http://{HOST}:{varnish_port}",
                "EMAIL_HOST": HOST,
                "EMAIL_PORT": str(mail.port),
            },
            log_path=logs / "cdn-server.log",
            access_log=logs / "cdn-access.log",
            ready_path="/readyz",
            ready_status=200,
        )
        varnish = Varnish(directory, varnish_port, server.port, logs / "cdn-varnish.log").__enter__()
        server.__enter__()
        run.timed("servers_s", step)
        say(
            f"servers: gunicorn {server.base} (production settings, 2 workers, "
            f"FRONTEND_CACHE_PURGE_URL={varnish.base}); varnishd {varnish.base} (scripts/varnish.vcl); "
            f"readers ask for Host: {host}"
        )
        result = exercise(run, site, varnish, server, marker, password)
    finally:
        if server:
            server.__exit__()
        if varnish:
            varnish.__exit__()
        mail.__exit__()
    return report(run, site, result, server, started)


def exercise(run, site, varnish, server, marker, password):
    pages, host = site["pages"], site["host"]
    old_title = site["page"]["title"]
    reader = Reader(varnish.base, host)
    origin = Reader(server.base, host)  # the site itself, past Varnish
    result = {"marker": marker}

    # People sign in first, through Varnish as editors would (their session cookie makes it pass them on).
    people = {role: Editor(varnish.base) for role in ("editor", "clinician", "moderator")}
    for role, client in people.items():
        client.login(site["users"][role], password)

    # 1. Warm.
    step = time.monotonic()
    extra = [path for path in site["all_pages"] if path not in pages.values()] if run.full else []
    before = warm(reader, [*pages.values(), *extra], "warm")
    run.timed("warm_s", step)
    result["warm"] = {path: answer["cache"] for path, answer in before.items()}
    for name, path in pages.items():
        answer = before[path]
        if answer["status"] != 200 or answer["cache"] != "HIT":
            run.fail(f"{name} {path} was not a cached 200 after warming ({answer['status']}, {answer['cache']})")
    for name in ("question", "section", "topic", "expert"):
        if not shows(before[pages[name]]["body"], old_title):
            run.fail(f"the {name} page {pages[name]} did not show the question's title before the publish")
    showing_before = [path for path in extra if shows(before[path]["body"], old_title)]
    purges_before = len(varnish.purges_received())
    counters_before = varnish.counters("MAIN.n_purges", "MAIN.n_obj_purged")

    # 2. Publish (--full: with readers on the question page and its section all the while).
    polling = threading.Event()
    polls = []

    def poll(path):
        while not polling.wait(READER_INTERVAL):
            polls.append(reader.get(path, "during"))

    polled = {pages["question"], pages["section"]} if run.full else set()
    pollers = [threading.Thread(target=poll, args=(path,), daemon=True) for path in polled]
    for thread in pollers:
        thread.start()
    step = time.monotonic()
    try:
        steps = publish(None, people, site["page"]["id"], site["form"])
    finally:
        polling.set()
        for thread in pollers:
            thread.join(timeout=40)
    run.timed("publish_s", step)
    published = steps["published"]
    result["publish"] = {name: round(moment - steps["submit"], 2) for name, moment in steps.items()}

    # 3. Fresh at once, then cached again; the unrelated page untouched.
    after = {}
    for name, path in pages.items():
        first, second = reader.get(path, "after"), reader.get(path, "after again")
        after[name] = {
            "path": path,
            "before": before[path]["cache"],
            "first": first["cache"],
            "then": second["cache"],
            "ms_after_publish": round((first["start"] - published) * 1000),
            "site_shows_it": shows(origin.get(path, "origin")["body"], marker),
            "fresh": shows(first["body"], marker) and shows(second["body"], marker),
            "age_before": before[path]["age"],
            "age_after": (first["age"], second["age"]),
        }
    result["after"] = after
    for name in ("question", "section", "topic", "expert", "home", "reviewer"):
        check = after[name]
        problems = []
        # A page the readers read during the publish may be back in the cache already: fresh is what counts.
        fetched_again = check["path"] in polled and check["fresh"]
        if (check["first"] != "MISS" and not fetched_again) or check["then"] != "HIT":
            problems.append(f"{check['first']} then {check['then']}, not MISS then HIT")
        if check["site_shows_it"] and not check["fresh"]:
            problems.append("the old title through Varnish while the site shows the new one")
        if not check["site_shows_it"] and name != "home":
            problems.append("the site itself does not show the new title there")
        if not problems:
            continue
        message = f"{name} {check['path']} after the publish: {'; '.join(problems)}"
        if name in LISTING_GAPS and not run.args.strict:
            run.gaps.append(message)
        else:
            run.fail(message)
    if after["unrelated"]["first"] != "HIT" or after["unrelated"]["then"] != "HIT":
        run.fail(f"the unrelated page {pages['unrelated']} was dropped too ({after['unrelated']['first']})")

    # --full: every other page that showed the question, read again through Varnish and from the site.
    stale = []
    for path in showing_before:
        cached, fresh = reader.get(path, "re-read"), origin.get(path, "origin")
        if shows(fresh["body"], marker) and not shows(cached["body"], marker):
            stale.append({"path": path, "cache": cached["cache"], "age": cached["age"]})
    result["crawl"] = {"pages": len(extra), "showing_the_question": showing_before, "stale_in_varnish": stale}
    run.gaps.extend(f"{item['path']} shows the question and was not purged (stale {item['cache']})" for item in stale)
    result["during"] = {"reads": len(polls), "by_cache": count(p["cache"] for p in polls)}

    # What was purged, as Varnish saw it (its shared-memory log and counters).
    received = varnish.purges_received()[purges_before:]
    counters_after = varnish.counters("MAIN.n_purges", "MAIN.n_obj_purged")
    result["purges"] = received
    times = [purge["time"] for purge in received if "time" in purge]
    if times:
        result["purge_timing"] = {
            "first_purge_after_sign_off_s": round(min(times) - steps["sign_off"], 3),
            "answer_after_last_purge_s": round(published - max(times), 3),
        }
        # --full: the readers' requests that Varnish sent to the site after a purge and that brought the
        # old page back into the cache (as one would if a purge were sent before the publish commits).
        recached = [
            p for p in polls if p["cache"] == "MISS" and p["start"] >= min(times) and not shows(p["body"], marker)
        ]
        result["during"]["old_page_fetched_after_purge"] = len(recached)
        if recached and not all(after[name]["fresh"] for name in ("question", "section")):
            run.fail(
                f"{len(recached)} reads during the publish had Varnish fetch the old page after its purge and keep it "
                f"(a purge was sent before the new content was committed)"
            )
    result["varnish_counters"] = {name: counters_after[name] - counters_before.get(name, 0) for name in counters_after}
    for purge in received:
        if not purge.get("user-agent", "").startswith(WAGTAIL_PURGE_AGENT) or purge.get("host") != host:
            run.fail(f"a PURGE that did not come from Wagtail for {host}: {purge}")
        if purge.get("status") != 200 or purge.get("client") not in (HOST, "::1"):
            run.fail(f"a purge Varnish refused or from elsewhere: {purge}")
    purged_paths = {purge.get("path") for purge in received}
    if pages["unrelated"] in purged_paths:
        run.fail(f"the unrelated page {pages['unrelated']} was purged")
    result["database"] = run_json(["scripts/cdn_purge.py", "probe", "after", str(site["page"]["id"])], server.env)
    if result["database"]["live_title"] != site["page"]["new_title"]:
        run.fail(f"the live title is {result['database']['live_title']!r}, not {site['page']['new_title']!r}")
    missing = sorted(set(result["database"]["listed_on"]) - purged_paths)
    if missing:
        run.gaps.append(f"listed_on() after the publish names {', '.join(missing)}, which was not purged")
    result["responses"] = reader.responses + origin.responses
    return result


def count(values):
    counts = {}
    for value in values:
        counts[str(value)] = counts.get(str(value), 0) + 1
    return counts


def report(run, site, result, server, started):
    old_title, new_title = site["page"]["title"], site["page"]["new_title"]
    responses = result.pop("responses")
    server_errors = [r for r in responses if r["status"] is None or r["status"] >= 500]
    if server_errors:
        examples = [(response["path"], response["status"]) for response in server_errors[:5]]
        run.fail(f"{len(server_errors)} responses were 5xx or no answer, e.g. {examples}")
    access, _ = read_json_lines(server.access_log_path)
    access_5xx = [record for record in access if int(record.get("status", 0)) >= 500]
    if access_5xx:
        run.fail(f"{len(access_5xx)} 5xx in the server's access log")
    log, _not_json = read_json_lines(server.log_path)
    errors = [record for record in log if record.get("level") in ("ERROR", "CRITICAL")]
    if errors:
        run.fail(f"{len(errors)} errors in the server's log, e.g. {errors[0].get('message', '')[:200]}")
    logged = [
        record["message"].split("Purging URL: ", 1)[1]
        for record in log
        if record.get("logger") == PURGE_LOGGER and "Purging URL: " in record.get("message", "")
    ]
    received = result["purges"]
    if len(logged) != len(received):
        run.fail(f"the site logged {len(logged)} purges, Varnish received {len(received)}")
    run.timings["total_s"] = round(time.monotonic() - started, 1)
    summary = {
        "command": "make cdn" + ("" if run.full else " CDN_ARGS=--short"),
        "page": site["page"],
        "pages": site["pages"],
        "host": site["host"],
        "listed_on_before": site["listed_on_before"],
        "purged_logged_by_site": logged,
        "requests": {"through_varnish_and_to_the_site": len(responses), "5xx_or_none": len(server_errors)},
        "timings": {**run.timings, "database_steps": run.setup_timings},
        **result,
        "gaps": run.gaps,
        "passed": not run.failures,
        "failures": run.failures,
    }
    result_path = run.logs / "cdn-result.json"
    result_path.write_text(json.dumps(summary, indent=2, default=str) + "\n")

    publish = result["publish"]
    say("")
    say(f"CDN PURGE RESULT ({'full' if run.full else 'short'} form: Varnish in front of the production server)")
    say(f"  published       {site['page']['url']}: {old_title!r} -> {new_title!r}")
    say(
        f"                  the editor's submit, clinician's approval and moderator's sign-off took "
        f"{publish['published']:.2f} s "
        f"(the sign-off, which publishes and purges: {publish['published'] - publish['sign_off']:.2f} s)"
    )
    say(
        f"  purged          {len(received)} PURGE requests to Varnish from the site (Host: {site['host']}, "
        f"{received[0].get('user-agent', '?') if received else '-'}), "
        f"{result['varnish_counters'].get('MAIN.n_obj_purged', 0)} cached objects dropped:"
    )
    for path in sorted({purge.get("path") for purge in received}):
        say(f"                    {path}")
    if "purge_timing" in result:
        timing = result["purge_timing"]
        say(
            f"                  sent {timing['first_purge_after_sign_off_s']:.2f} s into the sign-off request, which "
            f"answered {timing['answer_after_last_purge_s']:.2f} s after the last purge"
        )
    say("  per URL         cache before the publish -> first read after it, next read; what it shows")
    width = max(len(check["path"]) for check in result["after"].values())
    for name, check in result["after"].items():
        if not check["site_shows_it"]:
            shown = "does not show the question"
        else:
            shown = "the new title" if check["fresh"] else "STALE: the old title"
        say(
            f"    {name:<10} {check['path']:<{width}}  {check['before']} -> {check['first']}, {check['then']}"
            f"  (+{check['ms_after_publish']} ms; {shown})"
        )
    if run.full:
        crawl, during = result["crawl"], result["during"]
        say(
            f"  whole site      {crawl['pages']} more pages warmed, {len(crawl['showing_the_question'])} of them "
            f"showing the question; stale through Varnish after the publish: "
            + (", ".join(item["path"] for item in crawl["stale_in_varnish"]) or "none")
        )
        say(
            f"  readers         {during['reads']} reads of the question and its section during the publish "
            f"({', '.join(f'{key}: {value}' for key, value in during['by_cache'].items())}); "
            f"{during.get('old_page_fetched_after_purge', 0)} fetched the old page from the site after its purge"
        )
    say(
        f"  requests        {len(responses)} (through Varnish and to the site), "
        f"{len(server_errors)} 5xx or unanswered; access log {len(access)} lines, {len(access_5xx)} 5xx; "
        f"server log errors {len(errors)}"
    )
    steps = ", ".join(f"{name.removesuffix('_s')} {value}" for name, value in run.setup_timings.items())
    timings = [f"{name.removesuffix('_s')} {value} s" for name, value in run.timings.items()]
    say(f"  timings         {timings[0]} ({steps}), " + ", ".join(timings[1:]))
    for gap in run.gaps:
        say(f"  NOT PURGED      {gap} (reported; --strict fails on it)")
    say(f"  verdict         {'PASS' if not run.failures else 'FAIL: ' + '; '.join(run.failures)}")
    say(f"  details         {result_path}")
    return 0 if not run.failures else 1


if __name__ == "__main__":
    sys.exit(main())
