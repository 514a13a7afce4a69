"""Images are served as <picture> with AVIF and WebP sources, a JPEG fallback and their alt text."""

import pytest
import wagtail_factories
from bs4 import BeautifulSoup
from django.template.loader import render_to_string

from articles.blocks import ImageBlock
from experts.factories import ExpertPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(settings, tmp_path):
    """An uploaded image; its renditions are written to a temporary media folder."""
    settings.MEDIA_ROOT = tmp_path
    return wagtail_factories.ImageFactory(title="Portrait", file__width=800, file__height=600)


def assert_modern_picture(picture, alt):
    assert picture is not None, "the image is not in a <picture>"
    types = [source["type"] for source in picture.find_all("source")]
    assert types == ["image/avif", "image/webp"], types
    for source in picture.find_all("source"):
        assert source["srcset"]
        assert source["sizes"]
    img = picture.find("img")
    assert img["alt"] == alt
    assert img["src"].endswith((".jpg", ".jpeg")), "the fallback is a JPEG every browser can show"
    assert img.get("width"), "width and height reserve the space (no layout shift)"
    assert img.get("height")


def test_the_image_block_renders_a_picture_with_modern_formats_and_its_alt_text(photo):
    block = ImageBlock()
    value = block.to_python(
        {
            "image": photo.pk,
            "alt_text": "A model of the lower spine",
            "caption": "The lumbar spine",
            "credit": "Clinic",
        }
    )
    soup = BeautifulSoup(block.render(value), "html.parser")
    picture = soup.select_one("figure.body-image picture")
    assert_modern_picture(picture, "A model of the lower spine")
    assert picture.find("img")["loading"] == "lazy"
    assert "The lumbar spine" in soup.figcaption.get_text()


def test_the_image_block_requires_alt_text():
    assert ImageBlock().child_blocks["alt_text"].required


def test_an_expert_photo_is_a_picture_named_after_the_expert(photo, site_tree, client):
    expert = ExpertPageFactory(title="Wang Fei", photo=photo)
    soup = BeautifulSoup(client.get(expert.url).content, "html.parser")
    assert_modern_picture(soup.select_one(".profile__avatar picture"), "Dr Wang Fei")


def test_an_expert_card_photo_is_a_picture_left_unnamed_beside_the_name(photo, site_tree):
    expert = ExpertPageFactory(title="Wang Fei", photo=photo)
    soup = BeautifulSoup(render_to_string("includes/expert_card.html", {"expert": expert}), "html.parser")
    # The heading beside it already says "Dr Wang Fei"; alt="" keeps screen readers from saying it twice.
    assert_modern_picture(soup.select_one(".expert-card__avatar picture"), "")
    assert soup.select_one(".expert-card__name").get_text(strip=True) == "Dr Wang Fei"
