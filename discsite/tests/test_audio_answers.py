"""Audio answers say what is true.

The seeded answers from source 000 were recordings where they were first published; the site has their text,
not the recordings. Their pages say so, with the length in words, and nothing offers a player or an "audio"
badge for a recording that is not here. A page that has its recording (`audio` set) plays it beside its
transcript, and the recording is served to readers.
"""

import io
import math
import re
import struct
import wave

import pytest
from bs4 import BeautifulSoup
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Collection

from articles.integrity import publishing_unreviewed_source_material
from articles.models import QuestionPage, duration_in_words

RECORDED = "is-a-herniated-lumbar-disc-serious"  # Na Hong Wei, "1min 32sec" in source 000
MAIN = "relieve-lower-back-stiffness"  # lists RECORDED under "Other voices"
SECONDS = 1.5


def page_text(response):
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return soup, " ".join(soup.get_text(" ").split())


def wav_bytes(seconds=SECONDS, rate=8000):
    """A short, valid WAV file: a quiet 440 Hz tone, mono, 16-bit."""
    frames = b"".join(
        struct.pack("<h", int(3000 * math.sin(2 * math.pi * 440 * n / rate))) for n in range(int(seconds * rate))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


def give_recording(slug, content):
    """The seeded answer with its recording, published as the seed publishes (the system, unreviewed)."""
    document = get_document_model().objects.create(
        title="Recorded answer", collection=Collection.get_first_root_node(), file=ContentFile(content, "answer.wav")
    )
    page = QuestionPage.objects.get(slug=slug)
    page.audio = document
    with publishing_unreviewed_source_material("a test: an answer with its recording"):
        page.save_revision().publish()
    return page, document


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("56sec", "56 seconds"),
        ("1min 32sec", "1 minute 32 seconds"),
        ("1min32sec", "1 minute 32 seconds"),
        ("2 min 1 sec", "2 minutes 1 second"),
        ("3min", "3 minutes"),
        (" 43sec ", "43 seconds"),
        ("1 minute 5 seconds", "1 minute 5 seconds"),
        ("1m 2s", "1 minute 2 seconds"),
        # Anything else is shown as written, never turned into a length it does not say.
        ("1:32", "1:32"),
        ("about a minute", "about a minute"),
        ("", ""),
    ],
)
def test_a_duration_is_read_out_in_words(written, words):
    assert duration_in_words(written) == words


@pytest.mark.usefixtures("seeded")
def test_answers_whose_recording_is_not_here_say_so_in_words(client):
    answers = QuestionPage.objects.live().exclude(audio_duration="").filter(audio__isnull=True)
    assert answers.count() == 5  # the five other voices of source 000
    for answer in answers:
        soup, text = page_text(client.get(answer.url))
        words = answer.audio_duration_in_words
        assert re.fullmatch(r"\d+ (minute|second)s?( \d+ seconds?)?", words), words
        assert (
            f"{answer.author.display_name} gave this answer as a spoken recording, {words} long, "
            "where it was first published. This is its text; the recording itself is not on this site."
        ) in text
        assert not soup.find("audio"), answer.url
        assert not soup.select(".audio-answer, .card__audio, .voice__audio"), answer.url
        assert "Audio answer" not in text
        assert answer.audio_duration not in text, f"'{answer.audio_duration}' as the source wrote it"


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize("url", ["/", "/questions/", "/topics/symptoms/", f"/questions/{MAIN}/"])
def test_no_audio_badge_for_recordings_the_site_does_not_have(client, url):
    soup, text = page_text(client.get(url))
    assert not soup.select(".card__audio, .voice__audio")
    assert not re.search(r"\d+ ?(min|sec)\b", text), "a duration written the source's way"


@pytest.mark.usefixtures("seeded")
def test_a_real_recording_plays_beside_its_transcript(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = wav_bytes()
    page, document = give_recording(RECORDED, content)

    soup, text = page_text(client.get(page.url))
    section = soup.find("section", class_="audio-answer")
    heading = soup.find(id=section["aria-labelledby"])
    assert " ".join(heading.get_text(" ").split()) == "Listen to the answer (1 minute 32 seconds)"
    player = section.find("audio")
    assert player["src"] == document.url
    assert player.has_attr("controls")
    note = " ".join(section.find(class_="audio-answer__note").get_text(" ").split())
    assert note.startswith(
        "Recorded by Dr Na Hong Wei. The full answer below is its transcript. Download the recording"
    )
    assert "(WAV" in note
    assert section.find("a", href=document.url, download=True)
    # The transcript follows: the full answer, and no claim that the recording is missing.
    assert text.index("Listen to the answer") < text.index("Full answer") < text.index("Lumbar disc herniation is")
    assert "not on this site" not in text

    # Readers get the file itself (a live page shows it).
    response = client.get(document.url)
    assert response.status_code == 200
    assert response["Content-Type"] in ("audio/wav", "audio/x-wav", "audio/wave")
    assert b"".join(response.streaming_content) == content

    # Listings and "Other voices" now mention it, in words.
    for url in ("/questions/", f"/questions/{MAIN}/"):
        soup, _ = page_text(client.get(url))
        badges = [" ".join(tag.get_text(" ").split()) for tag in soup.select(".card__audio, .voice__audio")]
        assert badges == ["Recorded answer, 1 minute 32 seconds"], url
