"""Pictures editors upload: checked by content, cleaned of EXIF, and resized once."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageCms

from core.images import MAX_UPLOAD_BYTES, check_upload, picture_for, renditions_make

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def picture_bytes(size=(40, 30), image_format="PNG", mode="RGB", **options) -> bytes:
    buffer = BytesIO()
    Image.new(mode, size, "teal").save(buffer, format=image_format, **options)
    return buffer.getvalue()


def upload(data: bytes, name: str = "picture.png") -> ContentFile:
    return ContentFile(data, name=name)


def error_code(file: ContentFile) -> str:
    with pytest.raises(ValidationError) as caught:
        check_upload(file)
    return caught.value.code or ""


def test_it_refuses_html_named_png():
    fake = upload(b"<!doctype html><script>alert(1)</script>", name="chart.png")
    with pytest.raises(ValidationError, match="not a JPEG, PNG, WebP or GIF picture"):
        check_upload(fake)


def test_it_refuses_a_picture_in_a_format_it_does_not_take():
    assert error_code(upload(picture_bytes(image_format="BMP"), name="chart.png")) == "not_an_image"


def test_it_refuses_a_file_over_the_byte_limit_before_reading_it():
    big = upload(b"\x89PNG" + b"\0" * MAX_UPLOAD_BYTES, name="huge.png")
    with pytest.raises(ValidationError, match="at most 10 MB"):
        check_upload(big)


def test_it_refuses_a_picture_over_the_pixel_limit():
    # 7,000 × 6,000 = 42 million pixels, a few kilobytes once compressed: the limit is on pixels.
    bomb = upload(picture_bytes(size=(7000, 6000), mode="1"))
    with pytest.raises(ValidationError, match="at most 40 million pixels"):
        check_upload(bomb)


def test_it_refuses_a_decompression_bomb_beyond_twice_the_limit():
    bomb = upload(picture_bytes(size=(10000, 9000), mode="1"))
    assert error_code(bomb) == "too_many_pixels"


def test_it_strips_exif_with_the_gps_position_and_keeps_the_picture_upright():
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # taken with the phone on its side: rotate 90° to view
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 31.0, 48.0), 3: "W", 4: (0.0, 7.0, 39.0)})
    photo = upload(picture_bytes(size=(60, 40), image_format="JPEG", exif=exif.tobytes()), name="photo.jpeg")
    assert Image.open(BytesIO(photo.read())).getexif().get_ifd(GPS_IFD)

    cleaned = check_upload(photo)

    data = cleaned.read()
    image = Image.open(BytesIO(data))
    assert image.format == "JPEG"
    assert cleaned.name == "photo.jpg"
    assert dict(image.getexif()) == {}
    assert b"Exif" not in data
    assert image.size == (40, 60)


@pytest.mark.parametrize("image_format", ["PNG", "WEBP", "GIF", "JPEG"])
def test_it_takes_each_accepted_format(image_format):
    cleaned = check_upload(upload(picture_bytes(image_format=image_format), name="x.bin"))
    assert Image.open(BytesIO(cleaned.read())).format == image_format


def save(data: bytes, name: str):
    from django.db.models.fields.files import FieldFile

    from policies.models import Figure

    stored = default_storage.save(f"figures/{name}", ContentFile(data))
    return FieldFile(Figure(), Figure._meta.get_field("image"), stored)


@pytest.mark.parametrize(
    ("width", "expected"),
    [(200, [200]), (1000, [320, 640, 960, 1000]), (2400, [320, 640, 960, 1280, 1920])],
)
def test_renditions_are_made_at_each_width_up_to_the_original(width, expected):
    field_file = save(picture_bytes(size=(width, width // 2)), "chart.png")

    renditions = renditions_make(field_file)

    assert [r["width"] for r in renditions] == expected
    for rendition in renditions:
        webp = Image.open(default_storage.open(rendition["webp"]))
        fallback = Image.open(default_storage.open(rendition["fallback"]))
        assert (webp.format, fallback.format) == ("WEBP", "PNG")
        assert webp.size == fallback.size == (rendition["width"], rendition["height"])


def test_a_webp_original_needs_no_second_format():
    renditions = renditions_make(save(picture_bytes(size=(700, 300), image_format="WEBP"), "photo.webp"))
    assert all(r["webp"] == r["fallback"] for r in renditions)


def test_the_picture_lists_every_rendition_for_srcset():
    field_file = save(picture_bytes(size=(1000, 500), image_format="JPEG"), "photo.jpg")
    picture = picture_for(field_file, renditions_make(field_file), 1000, 500)
    assert picture.webp_srcset.count("w,") == 3
    assert picture.webp_srcset.endswith("-1000.webp 1000w")
    assert "-320.jpeg 320w" in picture.srcset
    assert picture.src.endswith("-960.jpeg")
    assert (picture.width, picture.height) == (1000, 500)


def test_the_colour_profile_survives_cleaning_and_resizing():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    photo = upload(picture_bytes(size=(700, 300), image_format="JPEG", icc_profile=profile), name="p.jpg")
    cleaned = check_upload(photo)
    assert Image.open(BytesIO(cleaned.read())).info["icc_profile"] == profile
    field_file = save(cleaned.open().read(), "p.jpg")
    for rendition in renditions_make(field_file):
        assert Image.open(default_storage.open(rendition["webp"])).info["icc_profile"] == profile


def test_a_cmyk_jpeg_becomes_rgb_without_its_cmyk_profile():
    cleaned = check_upload(upload(picture_bytes(mode="CMYK", image_format="JPEG"), name="print.jpg"))
    image = Image.open(BytesIO(cleaned.read()))
    assert image.mode == "RGB" and "icc_profile" not in image.info
