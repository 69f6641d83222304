"""Captions drawn as images with Pillow, for the moviepy engine (ffmpeg's libass draws its own).

The packaged Montserrat variable font, never a system font, at the style's weight, size, fill
and outline, wrapped to the style's margins.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pysubs2


def font_path() -> str:
    """The packaged Montserrat variable font (never a system font)."""
    import fontpkg_montserrat

    return str(Path(fontpkg_montserrat.ROOT) / "files" / "Montserrat[wght].ttf")



def caption_font(size: int, bold: bool):
    """The packaged Montserrat at ``size`` px, at weight 700 when bold (it is a variable font)."""
    from PIL import ImageFont

    font = ImageFont.truetype(font_path(), size)
    try:
        font.set_variation_by_axes([700 if bold else 400])
    except (OSError, AttributeError):  # a FreeType without variation support: default weight
        pass
    return font


def text_image(text: str, style: pysubs2.SSAStyle, box_w: int) -> np.ndarray:
    """RGBA image of ``text``: wrapped to ``box_w``, centred, filled and outlined like ``style``."""
    from PIL import Image, ImageDraw

    font = caption_font(max(8, int(style.fontsize)), bool(style.bold))
    stroke = max(1, round(style.outline))
    measure = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and measure.textlength(candidate, font=font) + 2 * stroke > box_w:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    joined = "\n".join(lines)
    left, top, right, bottom = measure.multiline_textbbox((0, 0), joined, font=font,
                                                         align="center", stroke_width=stroke)
    img = Image.new("RGBA", (int(right - left) + 2, int(bottom - top) + 2), (0, 0, 0, 0))
    fill = style.primarycolor
    outline = style.outlinecolor
    ImageDraw.Draw(img).multiline_text(
        (1 - left, 1 - top), joined, font=font, align="center",
        fill=(fill.r, fill.g, fill.b, 255), stroke_width=stroke,
        stroke_fill=(outline.r, outline.g, outline.b, 255))
    return np.asarray(img)
