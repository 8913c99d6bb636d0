"""What goes into the PyInstaller bundle, kept out of the spec so it can be read and tested."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUILD = HERE / "build"
APP_NAME = "CostCodeSync"
CLI_NAME = "costcode-sync"  # the headless command, in the same folder as the app
BUNDLE_ID = "com.costcodesync.desktop"
PUBLISHER = "CostCodeSync"

EXCLUDED_MODULES = [
    "tkinter",
    "_tkinter",
    "pydoc_data",
    "lib2to3",
    # httpx's command-line client (never used here) would pull in pygments, rich and click.
    "httpx._main",
    "pygments",
    "rich",
    "click",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtOpenGL",
    "PySide6.QtPdf",
]

# Qt pieces the app never uses; each line is a path fragment in the bundle.
UNUSED_QT = [
    "/translations/",  # the interface is English only
    "/imageformats/libqtiff",
    "/imageformats/libqwebp",
    "/imageformats/libqpdf",
    "/imageformats/libqicns",
    "/imageformats/libqtga",
    "/imageformats/libqwbmp",
    "/imageformats/qtiff",
    "/imageformats/qwebp",
    "/imageformats/qpdf",
    "/imageformats/qicns",
    "/imageformats/qtga",
    "/imageformats/qwbmp",
    "/platforms/libqvnc",
    "/platforms/libqlinuxfb",
    "/platforms/libqeglfs",
    "/platforms/libqminimalegl",
    "/platforms/libqvkkhrdisplay",
    "/platformthemes/libqgtk3",  # would pull in GTK; the xdg-desktop-portal theme stays
    "/egldeviceintegrations/",
    "/generic/",
    "/platforminputcontexts/",
    "/networkinformation/",
    "/tls/",  # the app's HTTPS is Python's ssl; QtNetwork only serves the local socket
    # Windows: Mesa's software OpenGL (about 20 MB), a fallback for OpenGL and Qt Quick on
    # machines without a GPU driver; the widgets here paint with Qt's raster engine.
    "/opengl32sw.dll",
]


def version() -> str:
    sys.path.insert(0, str(HERE.parent))
    from costcode_desktop import __version__

    return __version__


def numeric_version(text: str) -> tuple[int, int, int, int]:
    """'1.2.3' or '1.2.3rc1' as the four numbers Windows' version resource wants.

    Only each piece's leading digits count, so a pre-release (1.2.3rc1 → 1.2.3.0) is never
    stamped above its final release.
    """
    parts: list[int] = []
    for piece in text.split(".")[:4]:
        digits = re.match(r"\d*", piece)
        parts.append(int(digits.group() or 0) if digits else 0)
    parts += [0] * (4 - len(parts))
    return parts[0], parts[1], parts[2], parts[3]


def prune(entries: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Drop the unused Qt plugins and translations from a PyInstaller TOC."""
    kept = []
    for entry in entries:
        dest = "/" + entry[0].replace("\\", "/")
        if not any(fragment in dest for fragment in UNUSED_QT):
            kept.append(entry)
    return kept


def icon_file() -> str | None:
    """The platform's icon, rendered from resources/costcodesync.svg when it is not there yet."""
    suffix = {"win32": ".ico", "darwin": ".icns"}.get(sys.platform)
    if suffix is None:
        return None
    icons = BUILD / "icons"
    path = icons / f"costcodesync{suffix}"
    if not path.exists():
        sys.path.insert(0, str(HERE))
        import render_icons

        render_icons.main(["--out", str(icons)])
    return str(path)


FALLBACK_MACOS = (13, 0)  # PySide6 6.10+ wheels are built for macOS 13 and newer


def minimum_macos(platform_tag: str, wheel_files: Iterable[str]) -> str:
    """The oldest macOS every bundled binary runs on: the highest of the interpreter's build
    target (sysconfig's 'macosx-10.9-universal2') and each wheel's 'macosx_13_0_…' tag. Finder
    then says "needs a newer macOS" instead of the app crashing at start."""
    found = [
        (int(major), int(minor))
        for text in (platform_tag, *wheel_files)
        for major, minor in re.findall(r"macosx[-_](\d+)[._](\d+)", text)
    ]
    major, minor = max(found, default=FALLBACK_MACOS)
    return f"{major}.{minor}"


def installed_minimum_macos() -> str:
    """minimum_macos() of this interpreter and the packages installed beside it."""
    import importlib.metadata
    import sysconfig

    wheels = (dist.read_text("WHEEL") or "" for dist in importlib.metadata.distributions())
    return minimum_macos(sysconfig.get_platform(), wheels)


def info_plist(version_text: str, minimum_system: str | None = None) -> dict[str, object]:
    return {
        "CFBundleName": APP_NAME,
        "CFBundleDisplayName": APP_NAME,
        "CFBundleIdentifier": BUNDLE_ID,
        "CFBundleShortVersionString": version_text,
        "CFBundleVersion": ".".join(map(str, numeric_version(version_text)[:3])),  # digits only
        "CFBundlePackageType": "APPL",
        "LSMinimumSystemVersion": minimum_system or installed_minimum_macos(),
        "LSApplicationCategoryType": "public.app-category.business",
        "NSHighResolutionCapable": True,
        "NSRequiresAquaSystemAppearance": False,  # follow the system's light or dark mode
        "NSHumanReadableCopyright": f"© {PUBLISHER}",
    }


def windows_version_file(
    version_text: str, exe_name: str = APP_NAME, description: str = APP_NAME
) -> str | None:
    """The version resource Explorer shows under Properties → Details (Windows only)."""
    if sys.platform != "win32":
        return None
    numbers = numeric_version(version_text)
    strings = {
        "CompanyName": PUBLISHER,
        "FileDescription": description,
        "FileVersion": version_text,
        "InternalName": exe_name,
        "OriginalFilename": f"{exe_name}.exe",
        "ProductName": APP_NAME,
        "ProductVersion": version_text,
        "LegalCopyright": f"© {PUBLISHER}",
    }
    table = ",\n".join(f"          StringStruct({k!r}, {v!r})" for k, v in strings.items())
    text = f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, flags=0x0,
                    OS=0x40004, fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('040904B0', [
{table}
    ])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""
    BUILD.mkdir(parents=True, exist_ok=True)
    path = BUILD / f"version_info_{exe_name}.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)
