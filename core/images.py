"""Photos taken on a phone (a failed check item, a broken facility): checked, scaled down, served behind the wall.

``photo_clean`` is the one way an uploaded photo is accepted: it must be a real JPEG, PNG, WebP or
GIF image (opened and verified by Pillow, whatever its name or declared type says), no larger than
``PHOTO_MAX_BYTES``, and it is re-encoded as a JPEG no wider or taller than ``PHOTO_MAX_SIDE`` —
a 12-megapixel phone photo becomes a few hundred kilobytes, and any metadata (such as the GPS
position) is dropped. ``photo_response`` serves a stored photo to a view that has already asked
the store wall.
"""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_MAX_BYTES = 15 * 1024 * 1024
PHOTO_MAX_SIDE = 1600
PHOTO_MAX_PIXELS = 60_000_000  # a decompression bomb is refused before it is decoded
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}


def photo_clean(upload) -> SimpleUploadedFile:
    """A checked, scaled JPEG of the upload, or ValidationError naming the rule."""
    if upload is None:
        raise ValidationError(_("Take or choose a photo."), code="required")
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(
            _("The photo is too large: at most %(limit)d MB.") % {"limit": PHOTO_MAX_BYTES // (1024 * 1024)},
            code="photo_too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise ValidationError(_("The photo must be a JPEG, PNG, WebP or GIF image."), code="photo_format")
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise ValidationError(_("The photo has too many pixels."), code="photo_too_large")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=82, optimize=True)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("The file is not a photo: choose a JPEG, PNG, WebP or GIF image."), code="photo_format")
    return SimpleUploadedFile(f"{uuid.uuid4().hex}.jpg", out.getvalue(), content_type="image/jpeg")


def photo_response(fieldfile) -> FileResponse:
    """The stored photo, for a view that has already asked the store wall; a missing file is a 404."""
    if not fieldfile:
        raise Http404
    try:
        handle = fieldfile.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
