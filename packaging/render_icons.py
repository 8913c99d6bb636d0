"""Render the SVG icon masters into PNGs, a Windows .ico and a macOS .icns.

Usage: python packaging/render_icons.py [--out DIR] [--package]

Sizes up to 32 px come from the simplified master (resources/costcodesync-small.svg) so that
taskbar and title-bar icons stay crisp; larger sizes come from resources/costcodesync.svg.
The containers are written here with `struct` rather than by a platform tool, so one run on any
OS produces both, and the same inputs always give the same bytes.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MASTER_SVG = ROOT / "resources" / "costcodesync.svg"
SMALL_SVG = ROOT / "resources" / "costcodesync-small.svg"
DEFAULT_OUT = ROOT / "packaging" / "build" / "icons"
PACKAGE_ICONS = ROOT / "costcode_desktop" / "resources" / "icons"

BASENAME = "costcodesync"
SMALL_MAX = 32  # this size and below use the simplified master
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
PACKAGE_SIZES = (16, 24, 32, 48, 64, 128, 256)  # what costcode_desktop.ui.kit.icons loads
# (OSType, pixel size); the @2x types carry twice the point size in pixels.
ICNS_ENTRIES = (
    ("icp4", 16),
    ("icp5", 32),
    ("icp6", 64),
    ("ic07", 128),
    ("ic08", 256),
    ("ic09", 512),
    ("ic10", 1024),
    ("ic11", 32),
    ("ic12", 64),
    ("ic13", 256),
    ("ic14", 512),
)


def build_ico(pngs: Mapping[int, bytes], sizes: Sequence[int] = ICO_SIZES) -> bytes:
    """An ICO of PNG-compressed images (accepted by Windows Vista and later)."""
    header = struct.pack("<HHH", 0, 1, len(sizes))  # reserved, type 1 = icon, count
    offset = len(header) + 16 * len(sizes)
    entries, payloads = [], []
    for size in sizes:
        data = pngs[size]
        dim = 0 if size >= 256 else size  # a 0 byte means 256
        # width, height, palette colours, reserved, planes, bits per pixel, length, offset
        entries.append(struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset))
        payloads.append(data)
        offset += len(data)
    return header + b"".join(entries) + b"".join(payloads)


def build_icns(
    pngs: Mapping[int, bytes], entries: Sequence[tuple[str, int]] = ICNS_ENTRIES
) -> bytes:
    """An ICNS whose every element is a PNG (macOS 10.7 and later)."""
    body = b"".join(
        ostype.encode("ascii") + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
        for ostype, size in entries
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def _qt_app() -> object:
    """A QGuiApplication for QtSvg; works headless and reuses one that already exists."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.instance() or QGuiApplication([sys.argv[0]])


def render_png(svg: Path, size: int) -> bytes:
    """Rasterise an SVG into a size x size PNG with an alpha channel."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
    from PySide6.QtGui import QImage, QImageWriter, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    image = image.convertToFormat(QImage.Format.Format_ARGB32)

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, b"png")
    writer.setQuality(0)  # PNG: quality 0 is the strongest (lossless) compression
    if not writer.write(image):
        raise SystemExit(f"cannot encode {size} px PNG: {writer.errorString()}")
    buffer.close()
    return bytes(data.data())


def render_all(sizes: Sequence[int] = PNG_SIZES) -> dict[int, bytes]:
    _app = _qt_app()  # held while rendering
    for svg in (MASTER_SVG, SMALL_SVG):
        if not svg.is_file():
            raise SystemExit(f"missing icon master {svg}")
    return {
        size: render_png(SMALL_SVG if size <= SMALL_MAX else MASTER_SVG, size) for size in sizes
    }


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    try:
        shown = path.relative_to(Path.cwd())
    except ValueError:
        shown = path
    print(f"{len(data):>9,} bytes  {shown}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument(
        "--package",
        action="store_true",
        help=f"also refresh the PNGs the app loads at run time ({PACKAGE_ICONS.relative_to(ROOT)})",
    )
    args = parser.parse_args(argv)
    out: Path = args.out

    pngs = render_all()
    for size in PNG_SIZES:
        _write(out / f"{BASENAME}-{size}.png", pngs[size])
    _write(out / f"{BASENAME}.ico", build_ico(pngs))
    _write(out / f"{BASENAME}.icns", build_icns(pngs))
    if args.package:
        for size in PACKAGE_SIZES:
            _write(PACKAGE_ICONS / f"{BASENAME}-{size}.png", pngs[size])
    return 0


if __name__ == "__main__":
    sys.exit(main())
