"""In a real browser, at a phone's width: a recording plays beside its transcript, and a sponsored page starts
with its title (discsite/tests/test_audio_answers.py and test_reader_page_structure.py check the HTML)."""

import pytest

from discsite.tests.test_audio_answers import RECORDED, SECONDS, give_recording, wav_bytes

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SPONSORED = "/articles/herniated-discs-and-back-muscle-spasms/"


def test_the_recording_plays_in_a_browser(seeded_live_server, browser_page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    page, _document = give_recording(RECORDED, wav_bytes())
    browser_page.set_viewport_size(PHONE)
    browser_page.goto(seeded_live_server.url + page.url)
    player = browser_page.locator(".audio-answer audio")
    assert player.is_visible()
    duration = player.evaluate(
        """(audio) => new Promise((resolve, reject) => {
            audio.addEventListener("loadedmetadata", () => resolve(audio.duration), {once: true});
            audio.addEventListener("error", () => reject(new Error("cannot load: " + audio.error.code)), {once: true});
            audio.load();
        })"""
    )
    assert duration == pytest.approx(SECONDS, abs=0.05)
    box = player.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390, "the player fits a phone's width"


def test_on_a_phone_the_first_screen_starts_with_the_title(seeded_live_server, browser_page):
    browser_page.set_viewport_size(PHONE)
    browser_page.goto(seeded_live_server.url + SPONSORED)

    def top(selector):
        return browser_page.locator(selector).first.bounding_box()["y"]

    assert top("h1") < 844 / 2
    assert top("h1") < top(".sponsored-notice") < top(".health-layout__main")
    assert browser_page.get_by_role("complementary", name="This page contains sponsored content").is_visible()
