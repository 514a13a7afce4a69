"""Draw the site's share image: what a link preview (Open Graph, X/Twitter's large card) shows of a
page that has no image of its own.

    .venv/bin/python scripts/share_image.py     # writes discsite/static/discsite/images/share.png

1200x630 (the 1.91:1 size link previews show), in the site's colours, with the logo's stacked
vertebrae and the site's name and promise; nothing medical beyond what every page says. The text
uses Pillow's own font, so the script needs nothing but Pillow (a Wagtail dependency). The size and
the alternative text are in discsite/core/schema.py (DEFAULT_SHARE_IMAGE): change them together.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUTPUT = Path(__file__).resolve().parent.parent / "discsite" / "static" / "discsite" / "images" / "share.png"
WIDTH, HEIGHT = 1200, 630

# The site's colours (discsite/static/discsite/css/site.css, images/logo.svg).
BLUE = "#005eb8"
DARK_BLUE = "#003087"
LIGHT_BLUE = "#41b6e6"
PALE_BLUE = "#a6cdef"
RED = "#d5281b"
YELLOW = "#ffb81c"
WHITE = "#ffffff"


def font(size):
    return ImageFont.load_default(size=size)


def draw_spine(draw, centre_x, top):
    """Five vertebrae with their discs, as in the logo; the fourth disc bulges (the herniation)."""
    vertebra_width, vertebra_height, disc_height = 230, 62, 22
    y = top
    for index in range(5):
        left = centre_x - vertebra_width // 2
        draw.rounded_rectangle((left, y, left + vertebra_width, y + vertebra_height), radius=18, fill=BLUE)
        draw.rounded_rectangle((left + 18, y + 12, left + 110, y + 24), radius=6, fill=PALE_BLUE)
        y += vertebra_height
        if index < 4:
            disc_left = centre_x - (vertebra_width - 40) // 2
            disc_right = centre_x + (vertebra_width - 40) // 2
            if index == 3:
                draw.rounded_rectangle((disc_left, y + 3, disc_right, y + disc_height - 3), radius=8, fill=RED)
                draw.ellipse((disc_right - 10, y + 1, disc_right + 44, y + disc_height - 1), fill=RED)
            else:
                draw.rounded_rectangle((disc_left, y + 4, disc_right, y + disc_height - 4), radius=7, fill=LIGHT_BLUE)
            y += disc_height


def main():
    image = Image.new("RGB", (WIDTH, HEIGHT), BLUE)
    draw = ImageDraw.Draw(image)

    # The illustration: a white disc on the right with the spine in it.
    centre_x, centre_y, radius = 945, 315, 240
    draw.ellipse((centre_x - radius, centre_y - radius, centre_x + radius, centre_y + radius), fill=WHITE)
    draw_spine(draw, centre_x - 10, centre_y - (5 * 62 + 4 * 22) // 2)

    # The words, left, on the blue (white on #005eb8: contrast 6.4:1).
    left = 80
    draw.text((left, 120), "discsite", font=font(104), fill=WHITE)
    draw.rectangle((left, 262, left + 120, 270), fill=YELLOW)
    for line_number, line in enumerate(("Lumbar disc herniation,", "explained")):
        draw.text((left, 300 + line_number * 64), line, font=font(54), fill=WHITE)
    draw.text((left, 460), "Clinically reviewed answers", font=font(36), fill=WHITE)
    draw.text((left, 506), "and articles", font=font(36), fill=WHITE)

    # A thin band along the foot, in the darker blue.
    draw.rectangle((0, HEIGHT - 14, WIDTH, HEIGHT), fill=DARK_BLUE)

    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    image.save(OUTPUT, format="PNG", optimize=True)
    print(f"{OUTPUT}: {WIDTH}x{HEIGHT}, {OUTPUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
