"""Font files on this machine and cached PIL font objects."""

from __future__ import annotations

from functools import lru_cache

from PIL import ImageFont

NOTO_SANS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2)  # index 2 = SC
NOTO_SANS_BOLD = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2)
NOTO_SERIF = ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2)
NOTO_SERIF_BOLD = ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2)
WQY_ZENHEI = ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0)
WQY_MICROHEI = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0)
UMING = ("/usr/share/fonts/truetype/arphic/uming.ttc", 0)
UKAI = ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0)
DEJAVU_MONO_BOLD = ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf", 0)
DEJAVU_MONO = ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 0)
DEJAVU_SANS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0)

FontSpec = tuple[str, int]

# Fonts a renderer may pick from for body text, by a short name recorded in truth.
BODY_FONTS: dict[str, FontSpec] = {
    "noto_sans": NOTO_SANS,
    "noto_serif": NOTO_SERIF,
    "wqy_zenhei": WQY_ZENHEI,
    "wqy_microhei": WQY_MICROHEI,
    "uming": UMING,
    "ukai": UKAI,
}
# TrueType (glyf) CJK fonts reportlab can embed.
PDF_FONTS: dict[str, FontSpec] = {
    "wqy_zenhei": WQY_ZENHEI,
    "wqy_microhei": WQY_MICROHEI,
    "uming": UMING,
}


@lru_cache(maxsize=256)
def font(spec: FontSpec, size: int) -> ImageFont.FreeTypeFont:
    path, index = spec
    return ImageFont.truetype(path, size, index=index)
