"""Deterministic degradations of a rendered page: clean, scan, photo, rotated; and the
deliberately bad ones (BAD_MODES) that the quality gate must refuse."""

from __future__ import annotations

import io
from typing import cast

import cv2
import numpy as np
from PIL import Image

MODES = ("clean", "scan", "photo", "rotated")
# Deliberately bad pictures (not in the normal corpus): the quality gate must refuse them.
BAD_MODES = ("blurry", "glare", "tiny", "cut_off", "no_document")


def _jpeg(img: np.ndarray, quality: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return buf.tobytes()


def _png(img: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", img, [cv2.IMWRITE_PNG_COMPRESSION, 2])
    assert ok
    return buf.tobytes()


def _to_bgr(img: Image.Image) -> np.ndarray:
    return cv2.cvtColor(np.asarray(img.convert("RGB")), cv2.COLOR_RGB2BGR)


def scan(bgr: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = bgr.shape[:2]
    angle = float(rng.uniform(-1.5, 1.5))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    bed = tuple(int(v) for v in rng.integers(238, 252, size=3))
    out = cv2.warpAffine(bgr, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=bed)
    out = cv2.GaussianBlur(out, (3, 3), float(rng.uniform(0.3, 0.8)))
    # scanner tone: a touch darker, less contrast
    out = cv2.convertScaleAbs(out, alpha=float(rng.uniform(0.9, 0.98)),
                              beta=float(rng.uniform(0, 10)))
    noise = rng.standard_normal(out.shape, dtype=np.float32) * np.float32(rng.uniform(2, 5))
    out = np.clip(out.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    if rng.random() < 0.4:
        out = cv2.cvtColor(cv2.cvtColor(out, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    quality = int(rng.integers(85, 93))
    return cast(np.ndarray,
                cv2.imdecode(np.frombuffer(_jpeg(out, quality), np.uint8), cv2.IMREAD_COLOR))


def _desk(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    palettes = [(60, 95, 140), (150, 160, 165), (45, 45, 50), (120, 150, 185), (200, 200, 195)]
    base = np.array(palettes[int(rng.integers(len(palettes)))], np.float32)
    small = rng.normal(0, 1, (h // 16 + 1, w // 16 + 1)).astype(np.float32)
    texture = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    streaks = np.sin(np.linspace(0, rng.uniform(20, 60), w, dtype=np.float32))[None, :] * 4
    desk = base[None, None, :] + (texture * 10 + streaks)[..., None]
    return np.clip(desk, 0, 255).astype(np.uint8)


PHOTO_SIDE = 2000  # px: a photo's long side, as a messaging app sends it


def photo(bgr: np.ndarray, rng: np.random.Generator, long_side: int = PHOTO_SIDE) -> np.ndarray:
    h, w = bgr.shape[:2]
    # the frame: the document fills 60-85% of it
    fill = float(rng.uniform(0.6, 0.85))
    if max(w, h) > 2 * min(w, h):  # a long strip (pay slip) fills more of the frame
        fill = min(0.95, fill + 0.12)
    portrait = h > w
    if portrait:
        out_h = long_side
        out_w = int(long_side * 0.75)
    else:
        out_w = long_side
        out_h = int(long_side * 0.75)
    scale = min(out_w * fill / w, out_h * fill / h)
    dw, dh = w * scale, h * scale
    cx = out_w / 2 + rng.uniform(-0.05, 0.05) * out_w
    cy = out_h / 2 + rng.uniform(-0.05, 0.05) * out_h
    angle = np.deg2rad(rng.uniform(-8, 8))
    corners = np.array([[-dw / 2, -dh / 2], [dw / 2, -dh / 2], [dw / 2, dh / 2], [-dw / 2, dh / 2]])
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    dst = corners @ rot.T + [cx, cy]
    # perspective: pull corners in or out by up to 4% of the document size
    dst += rng.uniform(-0.04, 0.04, size=(4, 2)) * [dw, dh]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    desk = _desk(out_h, out_w, rng)
    warped = cv2.warpPerspective(bgr, m, (out_w, out_h), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, (out_w, out_h))
    # a soft drop shadow under the page
    shadow = cv2.GaussianBlur(mask, (0, 0), 12).astype(np.float32) / 255 * 0.35
    sx, sy = int(rng.integers(4, 16)), int(rng.integers(4, 16))
    shadow = np.roll(np.roll(shadow, sy, axis=0), sx, axis=1)
    base = desk.astype(np.float32) * (1 - shadow[..., None])
    a = (mask.astype(np.float32) / 255)[..., None]
    out: np.ndarray = warped.astype(np.float32) * a + base * (1 - a)
    # uneven light: a linear gradient plus a soft spot
    sh, sw = out_h // 8, out_w // 8
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32) * 8
    theta = rng.uniform(0, 2 * np.pi)
    grad = (np.cos(theta) * xx / out_w + np.sin(theta) * yy / out_h)
    light = 1.0 - rng.uniform(0.1, 0.3) * (grad - grad.min()) / (np.ptp(grad) + 1e-6)
    spx, spy = rng.uniform(0, out_w), rng.uniform(0, out_h)
    spot = np.exp(-(((xx - spx) ** 2 + (yy - spy) ** 2) / (2 * (0.35 * out_w) ** 2)))
    light = cv2.resize((light + 0.08 * spot).astype(np.float32), (out_w, out_h),
                       interpolation=cv2.INTER_LINEAR)
    warm = np.array([rng.uniform(0.9, 1.0), rng.uniform(0.95, 1.0), 1.0], np.float32)
    out = out * light[..., None] * warm[None, None, :]
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        out = cv2.GaussianBlur(out, (0, 0), float(rng.uniform(0.6, 1.4)))
    else:
        k = int(rng.integers(3, 7))
        kernel: np.ndarray = np.zeros((k, k), np.float32)
        kernel[k // 2, :] = 1.0 / k
        rot_k = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), float(rng.uniform(0, 180)), 1.0)
        kernel = cast(np.ndarray, cv2.warpAffine(kernel, rot_k, (k, k)))
        kernel /= kernel.sum()
        out = cv2.filter2D(out, -1, kernel)
    noise = rng.standard_normal(out.shape, dtype=np.float32) * np.float32(rng.uniform(2, 5))
    return np.clip(out.astype(np.float32) + noise, 0, 255).astype(np.uint8)


def apply(img: Image.Image, mode: str, seed: int, fmt: str | None = None,
          long_side: int = PHOTO_SIDE) -> tuple[bytes, str]:
    """Degrade ``img`` by ``mode``; returns (file bytes, extension without dot).

    clean -> PNG; scan -> PNG (or JPEG q90 when fmt="jpg"); photo, rotated -> JPEG q55-80,
    ``long_side`` px long.
    """
    rng = np.random.default_rng(seed)
    bgr = _to_bgr(img)
    if mode == "clean":
        return (_jpeg(bgr, 95), "jpg") if fmt == "jpg" else (_png(bgr), "png")
    if mode == "scan":
        out = scan(bgr, rng)
        return (_jpeg(out, 90), "jpg") if fmt == "jpg" else (_png(out), "png")
    if mode == "rotated":
        turn = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180,
                270: cv2.ROTATE_90_COUNTERCLOCKWISE}[rotation_of(seed)]
        bgr = cv2.rotate(bgr, turn)
        rng = np.random.default_rng(seed + 1)
        mode = "photo"
    if mode == "photo":
        out = photo(bgr, rng, long_side)
        return _jpeg(out, int(rng.integers(55, 81))), "jpg"
    if mode in BAD_MODES:
        return _jpeg(spoil(photo(bgr, rng), mode, rng), 80), "jpg"
    raise ValueError(mode)


def spoil(bgr: np.ndarray, mode: str, rng: np.random.Generator) -> np.ndarray:
    """A photo made unfit to read: heavy blur, a glare spot, tiny, cut off at one side, or
    replaced by a picture with no document in it."""
    h, w = bgr.shape[:2]
    if mode == "blurry":
        return cv2.GaussianBlur(bgr, (0, 0), max(h, w) / 300)
    if mode == "tiny":
        scale = 280 / max(h, w)
        return cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    if mode == "glare":
        spot: np.ndarray = np.zeros((h, w), np.float32)
        centre = (int(w * rng.uniform(0.4, 0.6)), int(h * rng.uniform(0.4, 0.6)))
        cv2.ellipse(spot, centre, (w // 5, h // 6), 0, 0, 360, 1, -1)
        spot = cv2.GaussianBlur(spot, (0, 0), w / 40)[..., None]
        return (bgr * (1 - spot) + 255 * spot).astype(np.uint8)
    if mode == "cut_off":
        keep = float(rng.uniform(0.55, 0.7))
        return np.ascontiguousarray(bgr[:, : int(w * keep)])
    if mode == "no_document":
        return no_document(h, w, rng)
    raise ValueError(mode)


def no_document(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A picture with no document in it: an empty desk, a bare wall or a blank sheet
    of near-uniform grey, or a random texture; under uneven light, with sensor noise."""
    kind = int(rng.integers(3))
    if kind == 0:
        base: np.ndarray = _desk(h, w, rng).astype(np.float32)
    elif kind == 1:
        level = rng.uniform(90, 250, size=3).astype(np.float32)
        base = np.broadcast_to(level, (h, w, 3)).astype(np.float32)
    else:
        cell = int(rng.choice([1, 2, 4, 8, 24]))
        small = rng.uniform(0, 255, (h // cell + 1, w // cell + 1, 3)).astype(np.float32)
        base = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
        if rng.random() < 0.5:
            base = np.repeat(base.mean(axis=2, keepdims=True), 3, axis=2)
    ramp = np.linspace(1.0 - rng.uniform(0, 0.3), 1.0, w, dtype=np.float32)
    out = base * (ramp[None, :, None] if rng.random() < 0.5 else ramp[::-1][None, :, None])
    out = cast(np.ndarray, cv2.GaussianBlur(out, (0, 0), float(rng.uniform(0.6, 1.4))))
    out += rng.standard_normal(out.shape, dtype=np.float32) * np.float32(rng.uniform(2, 5))
    return np.clip(out, 0, 255).astype(np.uint8)


def rotation_of(seed: int) -> int:
    """Degrees (clockwise) a ``rotated`` degradation turns the document by."""
    return (90, 180, 270)[seed % 3]


def to_image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")
