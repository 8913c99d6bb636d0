"""The icon render script's outputs, read back with independent parsers, and the runtime loader."""

from __future__ import annotations

import importlib.util
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage, QImageReader
from PySide6.QtWidgets import QApplication

from costcode_desktop.ui.kit.icons import app_icon

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "packaging" / "render_icons.py"
PACKAGE_ICONS = ROOT / "costcode_desktop" / "resources" / "icons"

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Written out here rather than imported, so a wrong table in the script cannot pass the tests.
PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024]
ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]
ICNS_PIXELS = {
    "icp4": 16,
    "icp5": 32,
    "icp6": 64,
    "ic07": 128,
    "ic08": 256,
    "ic09": 512,
    "ic10": 1024,
    "ic11": 32,
    "ic12": 64,
    "ic13": 256,
    "ic14": 512,
}


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("render_icons", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rendered(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # qapp first: the script then reuses this QApplication instead of making a QGuiApplication.
    out = tmp_path_factory.mktemp("icons")
    assert load_script().main(["--out", str(out)]) == 0
    return out


def png_header(data: bytes) -> tuple[int, int, int, int]:
    """(width, height, bit depth, colour type) from a PNG's IHDR chunk."""
    assert data[:8] == PNG_SIGNATURE, "payload is not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    return width, height, depth, colour


def read_ico(data: bytes) -> list[tuple[int, bytes]]:
    """(declared size, payload) of each ICONDIRENTRY, checking the directory on the way."""
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1), "not an icon (type 1) file"
    images = []
    end_of_directory = 6 + 16 * count
    expected_offset = end_of_directory
    for i in range(count):
        entry = data[6 + 16 * i : 6 + 16 * (i + 1)]
        width, height, colours, zero, planes, bits, length, offset = struct.unpack(
            "<BBBBHHII", entry
        )
        assert (colours, zero, planes, bits) == (0, 0, 1, 32)
        assert width == height
        assert offset == expected_offset, "payloads must follow the directory back to back"
        assert offset + length <= len(data)
        images.append((width or 256, data[offset : offset + length]))
        expected_offset = offset + length
    assert expected_offset == len(data), "trailing bytes after the last image"
    return images


def read_icns(data: bytes) -> list[tuple[str, bytes]]:
    assert data[:4] == b"icns"
    (total,) = struct.unpack(">I", data[4:8])
    assert total == len(data), "declared file length is wrong"
    elements = []
    pos = 8
    while pos < total:
        kind, length = struct.unpack(">4sI", data[pos : pos + 8])
        assert length > 8
        assert pos + length <= total, f"{kind!r} runs past the end of the file"
        elements.append((kind.decode("ascii"), data[pos + 8 : pos + length]))
        pos += length
    assert pos == total
    return elements


def test_pngs_at_every_size_with_alpha(rendered: Path) -> None:
    for size in PNG_SIZES:
        data = (rendered / f"costcodesync-{size}.png").read_bytes()
        assert png_header(data) == (size, size, 8, 6), f"{size} px is not 8-bit RGBA"
        image = QImage.fromData(data)
        assert (image.width(), image.height()) == (size, size)
        assert image.hasAlphaChannel()
        centre = image.pixelColor(size // 2, size // 4)
        assert centre.alpha() == 255, f"{size} px has a see-through middle"
    big = QImage(str(rendered / "costcodesync-256.png"))
    assert big.pixelColor(0, 0).alpha() == 0, "the master's corner should be transparent"


def test_ico_directory_and_payloads(rendered: Path) -> None:
    images = read_ico((rendered / "costcodesync.ico").read_bytes())
    assert [size for size, _ in images] == ICO_SIZES
    for size, payload in images:
        assert png_header(payload)[:2] == (size, size)
        assert payload == (rendered / f"costcodesync-{size}.png").read_bytes()


def test_icns_elements_and_payloads(rendered: Path) -> None:
    elements = read_icns((rendered / "costcodesync.icns").read_bytes())
    kinds = [kind for kind, _ in elements]
    assert sorted(kinds) == sorted(ICNS_PIXELS), "missing or unexpected icns elements"
    for kind, payload in elements:
        size = ICNS_PIXELS[kind]
        assert png_header(payload)[:2] == (size, size), f"{kind} should be {size} px"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("ico", sorted(ICO_SIZES)), ("icns", sorted(ICNS_PIXELS.values()))],
)
def test_containers_read_back_through_qt(rendered: Path, kind: str, expected: list[int]) -> None:
    """Qt's own readers, written by other people, agree with ours on every image."""
    if kind.encode() not in [bytes(f.data()) for f in QImageReader.supportedImageFormats()]:
        pytest.skip(f"this Qt has no {kind} image plugin")
    reader = QImageReader(str(rendered / f"costcodesync.{kind}"))
    assert reader.imageCount() == len(expected)
    sizes = []
    for i in range(reader.imageCount()):
        assert reader.jumpToImage(i)
        image = reader.read()
        assert not image.isNull(), reader.errorString()
        sizes.append(image.width())
    assert sorted(sizes) == expected


def test_command_line_run_is_byte_for_byte_repeatable(rendered: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in rendered.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == names
    assert len(names) == len(PNG_SIZES) + 2
    for name in names:
        data = (tmp_path / name).read_bytes()
        assert data == (rendered / name).read_bytes(), f"{name} differs between runs"
        assert f"{len(data):,} bytes" in result.stdout


def test_packaged_pngs_match_the_svg_masters(rendered: Path) -> None:
    # Compared by pixels with a tolerance, since another Qt version may antialias a little
    # differently; an edited SVG without a `render_icons.py --package` run still fails.
    for size in ICO_SIZES:
        packaged = QImage(str(PACKAGE_ICONS / f"costcodesync-{size}.png"))
        fresh = QImage(str(rendered / f"costcodesync-{size}.png"))
        assert packaged.size() == fresh.size() == QSize(size, size)
        far = 0
        for y in range(size):
            for x in range(size):
                a, b = packaged.pixel(x, y), fresh.pixel(x, y)  # 0xAARRGGBB
                if max(abs((a >> s & 255) - (b >> s & 255)) for s in (0, 8, 16, 24)) > 24:
                    far += 1
        allowed = max(2, size * size // 1000)
        assert far <= allowed, f"{size} px: rerun packaging/render_icons.py --package"


def test_app_icon_has_every_size(qapp: QApplication) -> None:
    icon = app_icon()
    assert not icon.isNull()
    sizes = sorted(s.width() for s in icon.availableSizes() if s.width() == s.height())
    assert sizes == ICO_SIZES
    for size in ICO_SIZES:
        pixmap = icon.pixmap(QSize(size, size))
        assert pixmap.size() == QSize(size, size)
        assert pixmap.hasAlphaChannel()
        # the hand-tuned image for that size, not a rescaled neighbour
        shipped = QImage(str(PACKAGE_ICONS / f"costcodesync-{size}.png"))
        # Compared premultiplied, as a pixmap holds it: converting back to straight alpha
        # rounds semi-transparent pixels by one step on Qt 6.11.3 and later.
        fmt = QImage.Format.Format_ARGB32_Premultiplied
        assert pixmap.toImage().convertToFormat(fmt) == shipped.convertToFormat(fmt)
