"""Profile photos: check an upload thoroughly, then keep only a clean re-encoded copy."""

import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from weconomics.contacts.errors import Invalid


def _unreadable() -> Invalid:
    return Invalid(_("That file is not a picture we can read. Use a JPEG, PNG or WebP image."))


ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
MIN_SIDE = 64
MAX_SIDE = 8000
MAX_PIXELS = 40_000_000
OUTPUT_SIDE = 512


def clean_photo(upload) -> ContentFile:
    """Return the upload as a square 512 px JPEG without metadata, or refuse it clearly."""
    size = getattr(upload, "size", None)
    if size is None or size > settings.PHOTO_MAX_BYTES:
        raise Invalid(_("The photo is too large: at most %(mb)d MB.")
                      % {"mb": settings.PHOTO_MAX_BYTES // (1024 * 1024)})
    if size == 0:
        raise Invalid(_("The photo file is empty."))
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        raise _unreadable() from None
    if kind not in ACCEPTED_FORMATS:
        raise _unreadable()
    if min(width, height) < MIN_SIDE:
        raise Invalid(_("The photo is too small: at least %(px)d pixels on each side.")
                      % {"px": MIN_SIDE})
    if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
        raise Invalid(_("The photo is too big: at most %(px)d pixels on a side.")
                      % {"px": MAX_SIDE})
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image = ImageOps.fit(image, (OUTPUT_SIDE, OUTPUT_SIDE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            # A fresh image from pixels only: no EXIF, GPS, comments or ICC profile.
            image.save(out, format="JPEG", quality=85, optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise _unreadable() from None
    return ContentFile(out.getvalue())
