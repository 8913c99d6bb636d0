"""The installer scripts agree with what the PyInstaller build produces (no Windows/macOS tools)."""

from __future__ import annotations

import importlib.util
import os
import plistlib
import re
import shutil
import subprocess
import sys
from pathlib import Path, PureWindowsPath
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
ISS = PACKAGING / "windows" / "costcodesync.iss"
BUILD_PS1 = PACKAGING / "windows" / "build.ps1"
BUILD_DMG = PACKAGING / "macos" / "build_dmg.sh"
WINE_CHECK = PACKAGING / "windows" / "check_with_wine.sh"
ENTITLEMENTS = PACKAGING / "macos" / "entitlements.plist"

# Installed copies are recognised by this id: a new one turns the next version into a second
# installation beside the old one instead of an upgrade. It must never change.
APP_ID_GUID = "F0A150D8-A08B-4569-BE92-20AD8EB6223C"
GUID = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")


def load(stem: str, name: str | None = None) -> ModuleType:
    """packaging/<stem>.py as module `name` (packaging/ is no package, and shares its name with
    PyPI's `packaging`)."""
    name = name or stem
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PACKAGING / f"{stem}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bundle_config() -> ModuleType:
    return load("bundle_config")


@pytest.fixture(scope="module")
def build() -> ModuleType:
    load("bundle_config")  # build.py imports it by this name
    return load("build", "costcodesync_packaging_build")  # not "build": PyPI has one


@pytest.fixture(scope="module")
def iss_text() -> str:
    return ISS.read_text(encoding="ascii")  # ISCC reads a BOM-less script in the ANSI code page


@pytest.fixture(scope="module")
def defines(iss_text: str) -> dict[str, str]:
    return dict(re.findall(r'^\s*#define\s+(\w+)\s+"([^"]*)"', iss_text, re.MULTILINE))


def sections(iss_text: str) -> dict[str, list[str]]:
    """Each [Section]'s entries, without comments and preprocessor lines."""
    found: dict[str, list[str]] = {}
    current = ""
    for raw in iss_text.splitlines():
        line = raw.strip()
        if not line or line.startswith((";", "#")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            found.setdefault(current, [])
        elif current:
            found[current].append(line)
    return found


def setup_directives(iss_text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in sections(iss_text)["Setup"])
    return {key.strip(): value.strip() for key, value in pairs}


def expand(value: str, defines: dict[str, str]) -> str:
    """Inno Setup Preprocessor's {#Name} substitution."""
    return re.sub(r"\{#(\w+)\}", lambda m: defines[m.group(1)], value)


def from_windows_dir(relative: str) -> Path:
    """A path written relative to packaging/windows/ (where ISCC resolves it), made absolute."""
    return (ISS.parent / Path(*PureWindowsPath(relative).parts)).resolve()


# ------------------------------------------------------------------------ Inno Setup script


def test_app_id_is_the_fixed_well_formed_guid(iss_text: str, defines: dict[str, str]) -> None:
    assert GUID.fullmatch(defines["AppIdGuid"])
    assert defines["AppIdGuid"] == APP_ID_GUID, "changing AppId breaks upgrades in place"
    # "{{" is Inno Setup's escape for one literal "{": the stored AppId is "{GUID}".
    assert setup_directives(iss_text)["AppId"] == "{{{#AppIdGuid}}"


def test_names_match_the_bundle(
    defines: dict[str, str],
    bundle_config: ModuleType,
    build: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert defines["AppName"] == bundle_config.APP_NAME
    assert defines["AppPublisher"] == bundle_config.PUBLISHER
    monkeypatch.setattr(sys, "platform", "win32")
    exe = build.executable()
    assert from_windows_dir(defines["BundleDir"]) == build.bundle_root() == exe.parent
    assert defines["AppExeName"] == exe.name == f"{bundle_config.APP_NAME}.exe"


def test_icon_is_the_rendered_ico(defines: dict[str, str], bundle_config: ModuleType) -> None:
    expected = bundle_config.BUILD / "icons" / "costcodesync.ico"
    assert from_windows_dir(defines["IconFile"]) == expected.resolve()
    render_icons = load("render_icons")
    assert expected.resolve() == (render_icons.DEFAULT_OUT / f"{render_icons.BASENAME}.ico")


def test_output_lands_next_to_the_bundle(
    iss_text: str, defines: dict[str, str], build: ModuleType
) -> None:
    setup = setup_directives(iss_text)
    assert from_windows_dir(expand(setup["OutputDir"], defines)) == build.DIST.resolve()
    name = expand(setup["OutputBaseFilename"], {**defines, "AppVersion": "1.2.3"})
    assert name == "CostCodeSync-1.2.3-setup"


def test_per_user_64_bit_installer_settings(iss_text: str) -> None:
    setup = setup_directives(iss_text)
    expected = {
        "PrivilegesRequired": "lowest",
        "PrivilegesRequiredOverridesAllowed": "dialog",
        "DefaultDirName": r"{autopf}\{#AppName}",
        "ArchitecturesAllowed": "x64compatible",
        "ArchitecturesInstallIn64BitMode": "x64compatible",
        "WizardStyle": "modern",
        "CloseApplications": "yes",
        "AppVersion": "{#AppVersion}",
        "SetupIconFile": "{#IconFile}",
        "UninstallDisplayIcon": r"{app}\costcodesync.ico",
    }
    assert {key: setup.get(key) for key in expected} == expected


def test_app_version_is_required_from_the_command_line(iss_text: str) -> None:
    assert re.search(r"^#ifndef AppVersion\s*\n\s*#error .+", iss_text, re.MULTILINE)
    assert not re.search(r"^#define\s+AppVersion\b", iss_text, re.MULTILINE)


def test_files_shortcuts_and_upgrade_cleanup(iss_text: str, defines: dict[str, str]) -> None:
    found = sections(iss_text)
    files = " ".join(found["Files"])
    assert 'Source: "{#BundleDir}\\*"' in files
    assert "recursesubdirs" in files
    assert "createallsubdirs" in files
    assert 'Source: "{#IconFile}"' in files  # the uninstaller's icon is installed with the app
    for section in ("InstallDelete", "UninstallDelete"):
        assert any('Name: "{app}\\_internal"' in entry for entry in found[section]), section
    icons = found["Icons"]
    assert any(e.startswith('Name: "{autoprograms}\\{#AppName}"') for e in icons)
    assert any("{autodesktop}" in e and "Tasks: desktopicon" in e for e in icons)
    assert any(e.startswith('Name: "desktopicon"') for e in found["Tasks"])
    assert any("postinstall" in e and "{#AppExeName}" in e for e in found["Run"])


def test_signing_happens_only_when_a_sign_tool_is_named(iss_text: str) -> None:
    block = re.search(r"^#ifdef SignToolName\n(.*?)^#endif", iss_text, re.MULTILINE | re.DOTALL)
    assert block, "SignTool must sit inside #ifdef SignToolName"
    assert "SignTool={#SignToolName}" in block.group(1)
    assert "SignedUninstaller=yes" in block.group(1)
    outside = iss_text.replace(block.group(0), "")
    assert not re.search(r"^SignTool=", outside, re.MULTILINE)


def test_windows_build_script_exists() -> None:
    assert BUILD_PS1.is_file()


# ------------------------------------------------------------------------ macOS


def test_entitlements_parse_and_are_minimal() -> None:
    entitlements = plistlib.loads(ENTITLEMENTS.read_bytes())
    assert entitlements == {"com.apple.security.cs.allow-unsigned-executable-memory": True}


SCRIPTS = [BUILD_DMG, WINE_CHECK, ROOT / ".ci" / "windows-installer"]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_shell_scripts_parse(script: Path) -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    done = subprocess.run([bash, "-n", str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(os.name == "nt", reason="no executable bit on Windows checkouts")
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_shell_scripts_are_executable(script: Path) -> None:
    assert os.access(script, os.X_OK)


def test_dmg_script_uses_the_bundle_the_build_makes(
    bundle_config: ModuleType, build: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = BUILD_DMG.read_text(encoding="utf-8")
    assert f'APP_NAME="{bundle_config.APP_NAME}"' in text
    assert 'APP="$DIST/$APP_NAME.app"' in text
    assert 'DIST="$ROOT/packaging/dist"' in text
    assert 'ENTITLEMENTS="$HERE/entitlements.plist"' in text
    monkeypatch.setattr(sys, "platform", "darwin")
    assert build.bundle_root() == build.DIST / f"{bundle_config.APP_NAME}.app"
    assert build.executable() == build.bundle_root() / "Contents" / "MacOS" / "CostCodeSync"
    assert '"$DIST/$APP_NAME-$VERSION.dmg"' in text


# ------------------------------------------------------------------------ bundle_config


def test_info_plist_carries_version_and_bundle_id(bundle_config: ModuleType) -> None:
    info = bundle_config.info_plist("1.2.3")
    assert info["CFBundleIdentifier"] == bundle_config.BUNDLE_ID == "com.costcodesync.desktop"
    assert info["CFBundleShortVersionString"] == "1.2.3"
    assert info["CFBundleVersion"] == "1.2.3"
    assert info["CFBundleName"] == bundle_config.APP_NAME
    plistlib.dumps(info)  # every value is one a plist can hold
    # macOS compares CFBundleVersion as integers: a pre-release keeps only its numbers there.
    assert bundle_config.info_plist("1.3.0rc2")["CFBundleVersion"] == "1.3.0"


def test_prune_drops_unused_qt_parts_on_every_platform_s_paths(bundle_config: ModuleType) -> None:
    def entry(dest: str) -> tuple[str, str, str]:
        return (dest, f"/site-packages/{dest}", "BINARY")

    kept = [
        entry("PySide6\\Qt6Widgets.dll"),
        entry("PySide6\\plugins\\platforms\\qwindows.dll"),
        entry("PySide6/Qt/plugins/platforms/libqxcb.so"),
        entry("PySide6/Qt/plugins/imageformats/libqico.so"),
    ]
    dropped = [
        entry("PySide6\\opengl32sw.dll"),  # Windows paths use backslashes
        entry("PySide6\\translations\\qtbase_de.qm"),
        entry("PySide6/Qt/plugins/platformthemes/libqgtk3.so"),
        entry("PySide6/Qt/plugins/tls/libqopensslbackend.so"),
        entry("PySide6/Qt/plugins/imageformats/libqtiff.so"),
    ]
    assert bundle_config.prune(kept + dropped) == kept


def test_minimum_macos_is_the_newest_any_bundled_binary_needs(bundle_config: ModuleType) -> None:
    wheels = [
        "Wheel-Version: 1.0\nTag: cp310-abi3-macosx_13_0_universal2\n",  # PySide6 6.11
        "Wheel-Version: 1.0\nTag: cp311-cp311-macosx_10_9_universal2\n",
        "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    ]
    assert bundle_config.minimum_macos("macosx-10.9-universal2", wheels) == "13.0"
    # A Homebrew Python built for macOS 14 raises it.
    assert bundle_config.minimum_macos("macosx-14.0-arm64", wheels) == "14.0"
    # No macOS tag at all (a build on Linux, or pure-Python wheels only): Qt's own floor.
    assert bundle_config.minimum_macos("linux-x86_64", wheels[2:]) == "13.0"


def test_info_plist_minimum_system_comes_from_the_binaries(bundle_config: ModuleType) -> None:
    assert bundle_config.info_plist("1.2.3", "13.0")["LSMinimumSystemVersion"] == "13.0"
    found = bundle_config.info_plist("1.2.3")["LSMinimumSystemVersion"]
    assert found == bundle_config.installed_minimum_macos()


@pytest.mark.parametrize(
    ("text", "numbers"),
    [("1.2.3", (1, 2, 3, 0)), ("1.2", (1, 2, 0, 0)), ("0.1.0", (0, 1, 0, 0))],
)
def test_numeric_version(bundle_config: ModuleType, text: str, numbers: tuple[int, ...]) -> None:
    assert bundle_config.numeric_version(text) == numbers


def test_numeric_version_drops_a_pre_release_suffix(bundle_config: ModuleType) -> None:
    assert bundle_config.numeric_version("1.2.3rc1") == (1, 2, 3, 0)


def test_numeric_version_of_the_current_release_is_four_small_numbers(
    bundle_config: ModuleType,
) -> None:
    numbers = bundle_config.numeric_version(bundle_config.version())
    assert len(numbers) == 4
    assert all(0 <= n <= 65535 for n in numbers)  # Windows' version resource limit


def test_the_installer_waits_for_the_mutex_the_running_app_holds() -> None:
    from costcode_desktop.ui.main.single_instance import INSTALLER_MUTEX

    text = (ROOT / "packaging" / "windows" / "costcodesync.iss").read_text(encoding="ascii")
    assert f"AppMutex={INSTALLER_MUTEX}\n" in text


def test_the_headless_command_ships_beside_the_app(
    bundle_config: ModuleType, build: ModuleType, defines: dict[str, str]
) -> None:
    """Scheduled refreshes need costcode-sync where the README says the installer puts it."""
    assert defines["CliExeName"] == f"{bundle_config.CLI_NAME}.exe"
    assert build.cli_executable().parent == build.executable().parent
    assert build.cli_executable().name.startswith(bundle_config.CLI_NAME)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in (
        r"%LOCALAPPDATA%\Programs\CostCodeSync\costcode-sync.exe",
        "/Applications/CostCodeSync.app/Contents/MacOS/costcode-sync",
    ):
        assert path in readme
    entry = (ROOT / "packaging" / "entry_cli.py").read_text(encoding="utf-8")
    assert "from costcode_desktop.cli import main" in entry
