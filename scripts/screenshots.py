"""`make screenshots`: the README's pictures, taken in headless Chromium from a freshly seeded site.

A throwaway SQLite database (in a temporary folder) is migrated and seeded, the demo users are
created, and the development server serves it on a free port of 127.0.0.1. Playwright drives the
system Chromium (/usr/bin/chromium; nothing is downloaded) through the public pages at desktop
width (1280 px) and phone width (390 px), then signs in as the demo clinician (the dashboard, with
the seeded pages waiting for their first review) and as the demo editor (an article open in the
editor with the "Reading level and checks" panel in view). The PNGs go to docs/screenshots/,
which the README shows; run this again after changing how a page looks.

Usage: .venv/bin/python scripts/screenshots.py [--output docs/screenshots]
"""

# A local tool that runs manage.py and talks to its own server on 127.0.0.1:
# ruff: noqa: S603, S310
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serving import free_port  # noqa: E402 (the project's root is on the path only from here)

CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# (file name, path, viewport, full page?): one of each public page type.
PUBLIC_SHOTS = [
    ("home", "/", DESKTOP, False),
    ("question", "/questions/is-a-herniated-lumbar-disc-serious/", DESKTOP, True),
    ("article", "/articles/herniated-discs-and-back-muscle-spasms/", DESKTOP, False),
    ("expert", "/experts/wang-fei/", DESKTOP, False),
    ("topic", "/topics/symptoms/", DESKTOP, False),
    ("search", "/search/?q=slipped+disc", DESKTOP, False),
    ("phone-question", "/questions/relieve-lower-back-stiffness/", PHONE, False),
    ("phone-home", "/", PHONE, False),
    ("phone-article", "/articles/herniated-discs-and-back-muscle-spasms/", PHONE, False),
    ("phone-expert", "/experts/wang-fei/", PHONE, False),
]


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def wait_until_up(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the development server stopped before it answered")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def shoot(base, output):
    import django
    from playwright.sync_api import sync_playwright

    django.setup()  # the demo password, and the article's id in the throwaway database
    from articles.models import ArticlePage
    from discsite.management.commands.create_demo_users import DEMO_PASSWORD

    article = ArticlePage.objects.get(slug="herniated-discs-and-back-muscle-spasms")

    taken = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for name, path, viewport, full_page in PUBLIC_SHOTS:
            context = browser.new_context(viewport=viewport, device_scale_factor=1)
            page = context.new_page()
            response = page.goto(base + path)
            if response is None or response.status != 200:
                raise SystemExit(f"{path} answered {response and response.status}")
            page.wait_for_load_state("networkidle")
            target = output / f"{name}.png"
            page.screenshot(path=str(target), full_page=full_page)
            taken.append(target)
            context.close()

        def signed_in(username):
            context = browser.new_context(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
            page = context.new_page()
            page.goto(base + "/admin/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(base + "/admin/")
            return context, page

        # The clinician's dashboard on a fresh site: every seeded page waiting for its first review.
        context, page = signed_in("clinician")
        page.wait_for_load_state("networkidle")
        target = output / "clinician-dashboard.png"
        page.screenshot(path=str(target))
        taken.append(target)
        context.close()

        # The editor: an article open in the page editor, scrolled to its reading-level panel.
        context, page = signed_in("editor")
        page.goto(f"{base}/admin/pages/{article.pk}/edit/")
        page.wait_for_load_state("networkidle")
        panel = page.get_by_text("Reading level and checks").first
        panel.scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -120)")
        target = output / "editor-reading-level.png"
        page.screenshot(path=str(target))
        taken.append(target)
        context.close()
        browser.close()
    return taken


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", default=str(ROOT / "docs" / "screenshots"), help="where the PNGs go")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)

    workdir = Path(tempfile.mkdtemp(prefix="discsite-screenshots-"))
    env = {
        **{key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}},
        "DJANGO_SETTINGS_MODULE": "discsite.settings.dev",
        "DATABASE_URL": f"sqlite:///{workdir / 'screenshots.sqlite3'}",
    }
    server = None
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed", "-v0")
        manage(env, "create_demo_users", "-v0")
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/", server)
        os.environ.update(env)
        for path in shoot(base, output):
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
