"""Checks for uploaded userpics: Pillow must read them and they must be small."""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image

USERPIC_MAX_BYTES = 200 * 1024
USERPIC_MAX_SIDE = 600
USERPIC_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}


def validate_userpic(upload) -> None:
    if upload.size > USERPIC_MAX_BYTES:
        raise ValidationError(
            _("A userpic may be at most %(limit)s; this file is %(size)s."),
            code="userpic_too_large",
            params={
                "limit": filesizeformat(USERPIC_MAX_BYTES),
                "size": filesizeformat(upload.size),
            },
        )
    position = upload.tell()
    try:
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except Exception as error:
        raise ValidationError(
            _("This file is not an image we can read."), code="userpic_unreadable"
        ) from error
    finally:
        upload.seek(position)
    if image_format not in USERPIC_FORMATS:
        raise ValidationError(
            _("Upload a PNG, JPEG, GIF or WebP image."), code="userpic_format"
        )
    if width > USERPIC_MAX_SIDE or height > USERPIC_MAX_SIDE:
        raise ValidationError(
            _(
                "A userpic may be at most %(side)s×%(side)s pixels; this one is "
                "%(width)s×%(height)s."
            ),
            code="userpic_dimensions",
            params={"side": USERPIC_MAX_SIDE, "width": width, "height": height},
        )
