"""The CDN purge on publish against a real Varnish: `make cdn`'s short form (scripts/cdn_purge.py --short).

The script starts the site under gunicorn with the production settings on a SQLite database of its
own, and varnishd (scripts/varnish.vcl) in front of it, each on a free loopback port, in a temporary
directory under the test's; it publishes a question page through the admin as the editor, the
clinician and the moderator do, and checks that the page and the pages listing it are fresh through
Varnish at once while an unrelated page stays cached (see its docstring). Here it runs once, and the
test reads its result. Skipped where varnishd is not installed, unless DISCSITE_REQUIRE_VARNISH=1
(CI) makes that a failure.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "cdn_purge.py"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
# The set-up (migrate, seed) is most of it: under a minute on two cores; the limit allows for a busy machine.
TIMEOUT = 300

# Its own database, servers and ports: safe beside other tests, but heavy; one xdist group of its own
# (which `--dist loadgroup` keeps on one worker).
pytestmark = [pytest.mark.xdist_group("varnish")]


@pytest.fixture
def varnishd():
    if not os.path.exists(VARNISHD):
        reason = "varnishd is not installed (apt-get install -y varnish)"
        if os.environ.get("DISCSITE_REQUIRE_VARNISH") == "1":
            pytest.fail(f"{reason}, and DISCSITE_REQUIRE_VARNISH=1 requires the Varnish test")
        pytest.skip(reason)
    return VARNISHD


def test_a_publish_purges_the_page_and_its_listings_from_varnish_and_nothing_else(varnishd, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}  # the script's temporary directory inside the test's
    process = subprocess.Popen(  # noqa: S603 (this repository's script, arguments of our own)
        [sys.executable, str(SCRIPT), "--short", "--logs", str(tmp_path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.terminate()  # the script then stops its varnishd and gunicorn, which a SIGKILL would leave behind
        output, _ = process.communicate(timeout=60)
        pytest.fail(f"scripts/cdn_purge.py --short took more than {TIMEOUT} s:\n{output}")
    assert process.returncode == 0, output
    result = json.loads((tmp_path / "cdn-result.json").read_text())
    assert result["passed"], output
    after = result["after"]
    for name in ("question", "section", "topic", "expert", "home"):
        assert (after[name]["before"], after[name]["first"], after[name]["then"]) == ("HIT", "MISS", "HIT"), name
    for name in ("question", "section", "topic", "expert"):
        assert after[name]["fresh"], name
    assert (after["unrelated"]["first"], after["unrelated"]["then"]) == ("HIT", "HIT")
    purged = {purge["path"] for purge in result["purges"]}
    assert {result["pages"][name] for name in ("question", "section", "topic", "expert", "home")} <= purged
    assert result["pages"]["unrelated"] not in purged
    assert all(purge["user-agent"].startswith("Wagtail-frontendcache/") for purge in result["purges"])
    assert result["requests"]["5xx_or_none"] == 0
    # Nothing left running or behind: the script's temporary directory (database, Varnish's) is gone.
    assert list(scratch.iterdir()) == []
