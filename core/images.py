"""Pictures editors upload: checked by their content, cleaned of metadata, and resized for the page.

An upload is read by Pillow, never trusted by its name: only JPEG, PNG, WebP and GIF pass, within a
byte and a pixel limit (the pixel limit is also Pillow's decompression-bomb guard, so a small file that
would unpack to gigabytes is refused before it is decoded). Accepted pictures are encoded again, which
drops EXIF (a phone photo's GPS position, camera serial), after turning them upright by their EXIF
orientation. Renditions are made once, when a picture is saved, at a few widths in WebP and in the
original's format for browsers without WebP; a page reads their names from a JSON column, so showing
them costs no query and no file-system call.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Pillow's own guard, set to the same limit: Image.open refuses anything twice this size outright
# and warns above it, which check_upload turns into a form error.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# Pillow format name: (file extension, format renditions are kept in beside WebP).
ACCEPTED_FORMATS = {"JPEG": ("jpg", "JPEG"), "PNG": ("png", "PNG"), "WEBP": ("webp", None), "GIF": ("gif", "PNG")}
RENDITION_WIDTHS = (320, 640, 960, 1280, 1920)
RENDITION_FOLDER = "renditions"
SAVE_OPTIONS: dict[str, dict[str, Any]] = {
    "JPEG": {"quality": 82, "optimize": True, "progressive": True},
    # zlib's default level: "optimize" tries every filter and costs seconds on a large picture for a few percent.
    "PNG": {"compress_level": 6},
    "WEBP": {"quality": 80, "method": 4},
    "GIF": {},
}


def check_upload(upload: File[Any]) -> ContentFile[bytes]:
    """The upload encoded again without metadata, or a ValidationError that says what is wrong."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("This file is %(size)s MB; pictures can be at most %(limit)s MB. Export it smaller and try again.")
            % {"size": round(upload.size / 1024 / 1024, 1), "limit": MAX_UPLOAD_BYTES // 1024 // 1024},
            code="too_large",
        )
    image = _open_checked(upload)
    cleaned = _encode_without_metadata(image)
    extension = ACCEPTED_FORMATS[image.format or ""][0]
    stem = PurePosixPath(upload.name or "picture").stem or "picture"
    return ContentFile(cleaned, name=f"{stem}.{extension}")


def _open_checked(upload: File[Any]) -> Image.Image:
    not_a_picture = ValidationError(
        _("This file is not a JPEG, PNG, WebP or GIF picture (whatever its name says). Upload one of those."),
        code="not_an_image",
    )
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            if image.format not in ACCEPTED_FORMATS:
                raise not_a_picture
            _check_pixels(image.width, image.height)
            image.verify()
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise not_a_picture from None
    return image


def _check_pixels(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(width, height)


def _too_many_pixels(width: int = 0, height: int = 0) -> ValidationError:
    size = _(" (this one is %(width)s × %(height)s)") % {"width": width, "height": height} if width else ""
    return ValidationError(
        _("Pictures can have at most %(limit)s million pixels%(size)s. Resize it and try again.")
        % {"limit": MAX_PIXELS // 1_000_000, "size": size},
        code="too_many_pixels",
    )


def _encode_without_metadata(image: Image.Image) -> bytes:
    original_format = image.format or "PNG"
    is_animated = getattr(image, "is_animated", False)
    if not is_animated:
        image = ImageOps.exif_transpose(image)
    buffer = BytesIO()
    options = dict(SAVE_OPTIONS[original_format])
    # A new file without exif=, XMP or comments: the pixels (a GIF's frames) and the colour profile survive.
    icc_profile = image.info.get("icc_profile")
    if original_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
        icc_profile = None  # a CMYK profile would misdescribe the converted pixels
    if is_animated:
        options["save_all"] = True
    image.info = {key: value for key, value in image.info.items() if key in ("duration", "loop", "transparency")}
    if icc_profile:
        options["icc_profile"] = icc_profile
    image.save(buffer, format=original_format, **options)
    return buffer.getvalue()


def renditions_make(field_file: FieldFile) -> list[dict[str, Any]]:
    """Write the picture at each rendition width no wider than it (or its own width, if narrower than
    all), in WebP and in a fallback format; return them as stored on the model."""
    storage = field_file.storage
    with field_file.open("rb") as handle:
        image = Image.open(handle)
        # A JPEG can be decoded at 1/2, 1/4 or 1/8 scale directly; no rendition needs more than the widest.
        widest = min(image.width, RENDITION_WIDTHS[-1])
        image.draft(None, (widest, round(image.height * widest / image.width)))
        image.load()
    fallback_format = ACCEPTED_FORMATS.get(image.format or "", ("png", "PNG"))[1]
    icc_profile = image.info.get("icc_profile")
    picture: Image.Image = image
    if picture.mode not in ("RGB", "RGBA", "L", "LA"):
        picture = picture.convert("RGBA" if "transparency" in picture.info else "RGB")
    widths = sorted({width for width in RENDITION_WIDTHS if width < picture.width} | {widest})
    stem = PurePosixPath(field_file.name or "picture")
    base = f"{stem.parent}/{RENDITION_FOLDER}/{stem.stem}"
    made = []
    # Widest first, each drawn from the one before: a 40-million-pixel photo is read at full size once.
    source = picture
    for width in reversed(widths):
        height = max(1, round(image.height * width / image.width))
        if (width, height) != source.size:
            source = source.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        webp = _save(storage, source, f"{base}-{width}.webp", "WEBP", icc_profile)
        # A WebP original needs no second format: every browser that shows WebP picks the source.
        fallback = (
            _save(storage, source, f"{base}-{width}.{fallback_format.lower()}", fallback_format, icc_profile)
            if fallback_format
            else webp
        )
        made.append({"width": width, "height": height, "webp": webp, "fallback": fallback})
    return made[::-1]


def _save(storage: Storage, image: Image.Image, name: str, image_format: str, icc_profile: bytes | None) -> str:
    if image_format == "JPEG" and image.mode != "RGB":
        image = image.convert("RGB")
    buffer = BytesIO()
    options = {**SAVE_OPTIONS[image_format], **({"icc_profile": icc_profile} if icc_profile else {})}
    image.save(buffer, format=image_format, **options)
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(buffer.getvalue()))


def renditions_delete(storage: Storage, renditions: list[dict[str, Any]]) -> None:
    for rendition in renditions:
        for name in {rendition["webp"], rendition["fallback"]}:
            storage.delete(name)


@dataclass(frozen=True)
class Picture:
    """What an <img> needs: src, the two srcsets (WebP and fallback), and the intrinsic size."""

    src: str
    srcset: str
    webp_srcset: str
    width: int | None
    height: int | None


def picture_for(
    field_file: FieldFile, renditions: list[dict[str, Any]], width: int | None, height: int | None
) -> Picture:
    storage = field_file.storage
    if not renditions:
        return Picture(src=field_file.url, srcset="", webp_srcset="", width=width, height=height)
    fallback = ", ".join(f"{storage.url(r['fallback'])} {r['width']}w" for r in renditions)
    webp = ", ".join(f"{storage.url(r['webp'])} {r['width']}w" for r in renditions)
    # The src for browsers that ignore srcset: the rendition nearest a column's width.
    middle = next((r for r in renditions if r["width"] >= 960), renditions[-1])
    return Picture(src=storage.url(middle["fallback"]), srcset=fallback, webp_srcset=webp, width=width, height=height)


class CheckedImageField(forms.FileField):
    """An upload field for pictures that runs ``check_upload`` and hands on the cleaned file.

    A FileField rather than Django's ImageField, whose single "not a valid image" message would
    hide which limit a picture broke.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", image_help_text())
        kwargs.pop("max_length", None)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", "image/jpeg,image/png,image/webp,image/gif")

    def to_python(self, data: Any) -> ContentFile[bytes] | None:
        upload = super().to_python(data)
        if upload is None:
            return None
        return check_upload(upload)


def image_help_text() -> str:
    return _(
        "JPEG, PNG, WebP or GIF, at most %(megabytes)s MB and %(megapixels)s million pixels. "
        "Location and camera details are removed when it is saved."
    ) % {"megabytes": MAX_UPLOAD_BYTES // 1024 // 1024, "megapixels": MAX_PIXELS // 1_000_000}
