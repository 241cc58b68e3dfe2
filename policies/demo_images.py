"""Pictures for demo content, drawn on the spot so the repository ships no binaries."""

from io import BytesIO

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

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
