"""A member card as images: a QR code (phones, 2D imagers) and a Code 128 barcode (older laser scanners).

The QR is always a full QR code (``micro=False``): segno would make a short payload a Micro QR, which phones and
many scanners cannot read."""
from __future__ import annotations

import io
import re
from functools import lru_cache

import segno
from barcode import Code128
from barcode.writer import ImageWriter, SVGWriter


def _qr(code: str):
    return segno.make(code, micro=False, error="m")


@lru_cache(maxsize=512)
def qr_svg(code: str, scale: int = 6) -> str:
    """An inline <svg> element (no XML declaration), to put into a page as is: the code has only A-Z and 0-9.
    It has a viewBox and no size (``omitsize``): the page's CSS sizes it, and it scales instead of being cut."""
    return _qr(code).svg_inline(scale=scale, border=2, title=code, omitsize=True)


def qr_png(code: str, scale: int = 8) -> bytes:
    buf = io.BytesIO()
    _qr(code).save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


_BARCODE_OPTIONS = {"module_height": 12.0, "quiet_zone": 4.0, "write_text": False}


@lru_cache(maxsize=512)
def code128_svg(code: str) -> str:
    buf = io.BytesIO()
    Code128(code, writer=SVGWriter()).write(buf, options={**_BARCODE_OPTIONS, "module_width": 0.3})
    text = buf.getvalue().decode("utf-8")
    # Inline in pages whose Content-Security-Policy forbids style attributes: colours as presentation attributes.
    text = text.replace('style="fill:white"', 'fill="white"').replace('style="fill:black;"', 'fill="black"')
    text = text[text.index("<svg"):]  # inline: drop the XML declaration and doctype
    # python-barcode sizes the drawing in mm without a viewBox, so a smaller box would cut bars off instead of
    # scaling them: give it the viewBox (CSS px: 96 per inch) and let it stretch to the box it is put in.
    size = re.search(r'width="([\d.]+)mm" height="([\d.]+)mm"', text)
    width, height = (float(v) * 96 / 25.4 for v in size.groups())
    return text.replace("<svg ", f'<svg viewBox="0 0 {width:.2f} {height:.2f}" preserveAspectRatio="none" ', 1)


def code128_png(code: str) -> bytes:
    buf = io.BytesIO()
    Code128(code, writer=ImageWriter()).write(buf, options={**_BARCODE_OPTIONS, "module_width": 0.4, "dpi": 200})
    return buf.getvalue()
