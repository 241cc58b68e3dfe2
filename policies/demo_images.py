"""Pictures for demo content, drawn on the spot so the repository ships no binaries."""

from io import BytesIO

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 675


def atrium_picture(seed: int = 0) -> ContentFile:
    """An abstract glass atrium: a sky gradient, a glass wall in panes, a central entrance."""
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    shift = (seed * 37) % 60
    for y in range(HEIGHT):
        tone = int(60 + 120 * y / HEIGHT)
        draw.line([(0, y), (WIDTH, y)], fill=(tone // 2 + shift, tone // 2 + 40, 140 + tone // 3))
    draw.polygon([(150, 620), (600, 180), (1050, 620)], fill=(180, 200, 215))
    for x in range(190, 1020, 55):
        draw.line([(x, 620), (600, 180)], fill=(120, 140, 160), width=2)
    for y in range(260, 620, 60):
        half = int((y - 180) * 450 / 440)
        draw.line([(600 - half, y), (600 + half, y)], fill=(120, 140, 160), width=2)
    draw.rectangle([540, 520, 660, 620], fill=(40, 45, 70))
    draw.rectangle([0, 620, WIDTH, HEIGHT], fill=(70, 90, 70))
    buffer = BytesIO()
    image.save(buffer, format="JPEG", quality=82)
    return ContentFile(buffer.getvalue())


def bar_chart(rows: list[tuple[str, float]], *, title: str) -> ContentFile:
    """A horizontal bar chart of (label, value) rows as a PNG, drawn from the figure's own data table.

    Pillow's bundled font has no currency signs, so the unit belongs in the title.
    """
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    title_font, label_font = ImageFont.load_default(size=42), ImageFont.load_default(size=34)
    draw.text((40, 30), title, fill=(46, 0, 139), font=title_font)
    bar_left, bar_right = 560, WIDTH - 150
    top, step = 120, (HEIGHT - 160) // max(len(rows), 1)
    largest = max(value for _, value in rows) or 1
    for index, (label, value) in enumerate(rows):
        y = top + index * step
        draw.text((40, y + step // 4), label, fill=(29, 29, 41), font=label_font)
        end = bar_left + int((bar_right - bar_left) * value / largest)
        draw.rectangle([bar_left, y + 8, max(end, bar_left + 2), y + step - 16], fill=(46, 0, 139))
        draw.text((end + 12, y + step // 4), f"{value:,.0f}", fill=(29, 29, 41), font=label_font)
    draw.line([(bar_left, top), (bar_left, top + step * len(rows) - 8)], fill=(74, 74, 90), width=2)
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue())
