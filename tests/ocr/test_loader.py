"""Decoding a picture: a plain PNG or JPEG is decoded by OpenCV and gives Pillow's
pixels; a photo turned by its EXIF tag comes upright; a broken file is still a
``read.unreadable.corrupt_image``, never a half picture."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageOps

from ocr import errors, loader


def _picture(mode: str) -> Image.Image:
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, (90, 140, 3), np.uint8)
    pixels[20:40, 10:120] = (200, 30, 60)  # something that is not noise
    return Image.fromarray(pixels).convert(mode)


def _encoded(picture: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    picture.save(out, format=fmt, **options)
    return out.getvalue()


def _by_pillow(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        rgb = np.asarray(ImageOps.exif_transpose(image.convert("RGB")), np.uint8)
    return np.ascontiguousarray(rgb[:, :, ::-1])


@pytest.mark.parametrize(("fmt", "mode"), [("PNG", "RGB"), ("PNG", "L"), ("JPEG", "RGB"),
                                           ("JPEG", "L"), ("PNG", "RGBA"), ("PNG", "P")])
def test_a_picture_decodes_to_pillows_pixels(fmt: str, mode: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    data = _encoded(_picture(mode), fmt)
    plain = fmt in ("PNG", "JPEG") and mode in ("RGB", "L")
    used = []
    decode = loader.cv2.imdecode
    monkeypatch.setattr(loader.cv2, "imdecode", lambda *a: used.append(1) or decode(*a))
    pages = loader.load("upload", data).pages
    assert len(pages) == 1
    assert np.array_equal(pages[0].image, _by_pillow(data))
    assert bool(used) is plain  # OpenCV decodes only what it decodes alike


def test_a_photo_turned_by_its_exif_tag_comes_upright() -> None:
    exif = Image.Exif()
    exif[loader.EXIF_ORIENTATION] = 6  # stored on its side, shown turned 90 degrees
    data = _encoded(_picture("RGB"), "JPEG", exif=exif)
    image = loader.load("photo.jpg", data).pages[0].image
    assert image.shape[:2] == (140, 90)
    assert np.array_equal(image, _by_pillow(data))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_truncated_picture_is_corrupt_not_half_read(fmt: str) -> None:
    data = _encoded(_picture("RGB"), fmt)
    with pytest.raises(errors.CorruptImage):
        loader.load("cut", data[: len(data) // 2])


def test_a_picture_over_the_pixel_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_PIXELS", 100)
    with pytest.raises(errors.TooLarge):
        loader.load("big.png", _encoded(_picture("RGB"), "PNG"))


def test_a_png_turned_by_its_exif_chunk_comes_upright() -> None:
    exif = Image.Exif()
    exif[loader.EXIF_ORIENTATION] = 8  # stored on its side, shown turned 270 degrees
    data = _encoded(_picture("RGB"), "PNG", exif=exif)
    assert b"eXIf" in data
    image = loader.load("scan.png", data).pages[0].image
    assert image.shape[:2] == (140, 90)
    assert np.array_equal(image, _by_pillow(data))
