#!/usr/bin/env bash
# Build packaging/dist/CostCodeSync-<version>.dmg on a Mac (PyInstaller cannot cross-build).
#
#   packaging/macos/build_dmg.sh
#
# 1. A fresh venv (packaging/build/venv) with `pip install -e .[build]` (app + PyInstaller), then
#    `python packaging/build.py`: packaging/dist/CostCodeSync.app and its --self-test.
# 2. With CODESIGN_IDENTITY: every Mach-O file in the app is signed, deepest first, with the
#    hardened runtime and a secure timestamp; then the main executable and the app (with
#    entitlements.plist); `codesign --verify --deep --strict`; the signed app's --self-test.
# 3. A DMG with the app and a link to /Applications (drag to install), signed when signing is on.
# 4. With NOTARY_PROFILE, or APPLE_ID + APPLE_TEAM_ID + APPLE_APP_PASSWORD: notarization of the
#    DMG, stapling of the ticket, and a Gatekeeper (spctl) check.
#
# Environment (all optional):
#   CODESIGN_IDENTITY   "Developer ID Application: Company Name (TEAMID)", or its SHA-1, from
#                       `security find-identity -v -p codesigning`. Unset: an unsigned DMG.
#   NOTARY_PROFILE      keychain profile saved once with
#                       `xcrun notarytool store-credentials PROFILE --apple-id ... --team-id ...`
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD
#                       the same credentials given directly (an app-specific password from
#                       account.apple.com); NOTARY_PROFILE keeps them off the command line.
#   PYTHON              the Python 3.11+ that creates the build venv (default: python3)
#   KEEP_VENV=1         reuse packaging/build/venv instead of recreating it
#
# Entitlements (entitlements.plist; the hardened runtime that notarization requires refuses
# these unless the app asks for them; each one weakens it, so only what is needed is there):
#   com.apple.security.cs.allow-unsigned-executable-memory
#       Python's ctypes (libffi) makes writable-then-executable memory for C callbacks and
#       call trampolines; keyring's macOS backend talks to the Keychain through ctypes. Without
#       it such a call crashes the signed app, though the unsigned build works.
# Deliberately left out:
#   com.apple.security.cs.allow-jit               no JIT: QML/JavaScript are not in the bundle.
#   com.apple.security.cs.disable-library-validation
#       every library in the bundle is signed here with the same Team ID, which library
#       validation accepts. Add it only if the signed app's self-test fails on loading a
#       library "not valid for use in process ... different Team IDs".
#   com.apple.security.app-sandbox (and network/file entitlements, which only the sandbox uses)
#       not sandboxed: the app reads the login Keychain, listens on 127.0.0.1 for the sign-in,
#       and writes exports where the user chooses.
# Entitlements belong to executables (libraries take their host's), so dylibs and .so files are
# signed without them.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
APP_NAME="CostCodeSync"
DIST="$ROOT/packaging/dist"
APP="$DIST/$APP_NAME.app"
VENV="$ROOT/packaging/build/venv"
STAGING="$ROOT/packaging/build/dmg"
ENTITLEMENTS="$HERE/entitlements.plist"

CODESIGN_IDENTITY="${CODESIGN_IDENTITY:-}"
NOTARY_PROFILE="${NOTARY_PROFILE:-}"
APPLE_ID="${APPLE_ID:-}"
APPLE_TEAM_ID="${APPLE_TEAM_ID:-}"
APPLE_APP_PASSWORD="${APPLE_APP_PASSWORD:-}"

say() { printf '== %s\n' "$*"; }
die() {
    printf 'build_dmg.sh: %s\n' "$*" >&2
    exit 1
}

# ---------------------------------------------------------------- checks before the long build
[ "$(uname -s)" = "Darwin" ] ||
    die "run this on a Mac: PyInstaller builds for the system it runs on (Windows: packaging/windows/build.ps1)."

notarize=""
if [ -n "$NOTARY_PROFILE" ]; then
    notarize="profile"
elif [ -n "$APPLE_ID$APPLE_TEAM_ID$APPLE_APP_PASSWORD" ]; then
    [ -n "$APPLE_ID" ] && [ -n "$APPLE_TEAM_ID" ] && [ -n "$APPLE_APP_PASSWORD" ] ||
        die "notarizing needs all three of APPLE_ID, APPLE_TEAM_ID and APPLE_APP_PASSWORD (or NOTARY_PROFILE)."
    notarize="apple-id"
fi
if [ -n "$notarize" ] && [ -z "$CODESIGN_IDENTITY" ]; then
    die "notarizing needs a signed app: set CODESIGN_IDENTITY to your Developer ID Application identity."
fi
if [ -n "$CODESIGN_IDENTITY" ]; then
    identities="$(security find-identity -v -p codesigning)"
    case "$identities" in
    *"$CODESIGN_IDENTITY"*) ;;
    *) die "no valid signing identity '$CODESIGN_IDENTITY' in the keychain; found:
$identities" ;;
    esac
fi
if [ -n "$notarize" ]; then
    xcrun --find notarytool >/dev/null 2>&1 ||
        die "xcrun notarytool not found: install Xcode 13 or newer, or its Command Line Tools."
fi

notarytool_auth() {
    # The credentials for notarytool, as arguments.
    if [ "$notarize" = "profile" ]; then
        printf '%s\0' --keychain-profile "$NOTARY_PROFILE"
    else
        printf '%s\0' --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" --password "$APPLE_APP_PASSWORD"
    fi
}

notarytool() {
    # xcrun notarytool SUBCOMMAND ARGS... with the credentials appended.
    local auth=() item
    while IFS= read -r -d '' item; do auth+=("$item"); done < <(notarytool_auth)
    xcrun notarytool "$@" "${auth[@]}"
}

# ---------------------------------------------------------------- bundle and self-test
cd "$ROOT"
if [ -z "${KEEP_VENV:-}" ]; then
    rm -rf "$VENV"
fi
if [ ! -x "$VENV/bin/python" ]; then
    say "venv: $VENV"
    "${PYTHON:-python3}" -m venv "$VENV"
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$VENV/bin/python" -m pip install -q -e ".[build]" # the app + PyInstaller, as CI installs them
VERSION="$("$VENV/bin/python" -c 'import costcode_desktop; print(costcode_desktop.__version__)')"
DMG="$DIST/$APP_NAME-$VERSION.dmg"
say "CostCodeSync $VERSION ($(uname -m))"

say "bundle + self-test: python packaging/build.py"
"$VENV/bin/python" packaging/build.py
[ -x "$APP/Contents/MacOS/$APP_NAME" ] || die "the build did not produce $APP"

# ---------------------------------------------------------------- signing
macho_kind() {
    # "exe" for a Mach-O executable, "lib" for any other Mach-O file, nothing otherwise.
    local description
    description="$(file -b "$1")"
    case "$description" in
    *Mach-O*executable*) echo exe ;;
    *Mach-O*) echo lib ;;
    esac
}

by_depth() {
    # Reads paths (one a line), writes them deepest first.
    local path slashes
    while IFS= read -r path; do
        slashes="${path//[^\/]/}"
        printf '%s\t%s\n' "${#slashes}" "$path"
    done | sort -t "$(printf '\t')" -k1,1nr | cut -f2-
}

is_framework_binary() {
    # X.framework/Versions/V/X: signed with its framework bundle, not on its own.
    local pattern='/([^/]+)\.framework/Versions/[^/]+/([^/]+)$'
    [[ "$1" =~ $pattern ]] && [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
}

sign() {
    codesign --force --timestamp --options runtime --sign "$CODESIGN_IDENTITY" "$@"
}

sign_quietly() {
    # sign, printing codesign's chatter ("replacing existing signature") only when it fails.
    local output
    if ! output="$(sign "$@" 2>&1)"; then
        printf '%s\n' "$output" >&2
        return 1
    fi
}

sign_app() {
    local main="$APP/Contents/MacOS/$APP_NAME" path kind count=0
    # Extended attributes (Finder info, resource forks) make codesign refuse the bundle.
    xattr -cr "$APP"

    # 1. Every Mach-O file other than the main executable and the frameworks' own binaries:
    #    libraries, Python extension modules, Qt plugins (Contents/Frameworks, Contents/Resources).
    while IFS= read -r path; do
        [ "$path" = "$main" ] && continue
        is_framework_binary "$path" && continue
        kind="$(macho_kind "$path")"
        case "$kind" in
        exe) sign_quietly --entitlements "$ENTITLEMENTS" "$path" ;;
        lib) sign_quietly "$path" ;;
        *) continue ;;
        esac
        count=$((count + 1))
    done < <(find "$APP/Contents" -type f | by_depth)
    say "signed $count libraries and modules"

    # 2. Framework bundles (Qt, Python), innermost first: this signs their binaries and seals
    #    their resources.
    while IFS= read -r path; do
        sign_quietly "$path"
    done < <(find "$APP/Contents" -type d -name '*.framework' | by_depth)

    # 3. The main executable, then 4. the app bundle itself (seals everything above).
    sign --entitlements "$ENTITLEMENTS" "$main"
    sign --entitlements "$ENTITLEMENTS" "$APP"

    codesign --verify --deep --strict --verbose=2 "$APP"
    say "the signed app's own --self-test (hardened runtime: catches a missing entitlement)"
    QT_QPA_PLATFORM=offscreen "$main" --self-test ||
        die "the signed app failed its self-test; see the entitlements notes at the top of this script."
}

if [ -n "$CODESIGN_IDENTITY" ]; then
    say "signing with: $CODESIGN_IDENTITY"
    sign_app
else
    say "not signing: CODESIGN_IDENTITY is not set"
fi

# ---------------------------------------------------------------- DMG
say "DMG: $DMG"
rm -rf "$STAGING"
mkdir -p "$STAGING"
ditto "$APP" "$STAGING/$APP_NAME.app" # ditto keeps symlinks, signatures and attributes
ln -s /Applications "$STAGING/Applications"
created=""
for attempt in 1 2 3; do
    # hdiutil now and then fails with "Resource busy" while Spotlight looks at new files.
    if hdiutil create -volname "$APP_NAME" -srcfolder "$STAGING" -format UDZO -ov "$DMG"; then
        created="yes"
        break
    fi
    say "hdiutil failed (attempt $attempt); retrying"
    sleep 5
done
[ -n "$created" ] || die "hdiutil could not create $DMG"
rm -rf "$STAGING"

if [ -n "$CODESIGN_IDENTITY" ]; then
    codesign --force --timestamp --sign "$CODESIGN_IDENTITY" "$DMG"
    codesign --verify --strict --verbose=2 "$DMG"
fi

# ---------------------------------------------------------------- notarization
if [ -n "$notarize" ]; then
    say "notarizing (usually a few minutes)"
    if ! result="$(notarytool submit "$DMG" --wait --output-format json)"; then
        printf '%s\n' "$result" >&2
        die "notarytool submit failed"
    fi
    status_and_id="$(printf '%s' "$result" | "$VENV/bin/python" -c \
        'import json, sys; d = json.load(sys.stdin); print(d.get("status", "?"), d.get("id", "?"))')"
    status="${status_and_id%% *}"
    submission="${status_and_id#* }"
    if [ "$status" != "Accepted" ]; then
        notarytool log "$submission" >&2 || true
        die "notarization ended '$status' (submission $submission); the log above names each problem."
    fi
    xcrun stapler staple "$DMG"
    xcrun stapler validate "$DMG"
    spctl -a -t open --context context:primary-signature -v "$DMG"
fi

# ---------------------------------------------------------------- summary
say "done: $DMG ($(du -h "$DMG" | cut -f1))"
say "SHA-256 $(shasum -a 256 "$DMG" | cut -d ' ' -f1)"
if [ -z "$CODESIGN_IDENTITY" ]; then
    cat <<'EOF'
   UNSIGNED build: fine for testing on this Mac, not for handing out. Gatekeeper refuses to
   open an unsigned app that came from a download, mail or chat: users then have to
   Control-click (right-click) CostCodeSync in Applications and choose Open, then Open again
   (macOS 14 and earlier), or, on macOS 15 and later, try to open it once, then go to
   System Settings > Privacy & Security and click "Open Anyway". Set CODESIGN_IDENTITY and
   NOTARY_PROFILE for a release (see packaging/README.md).
EOF
elif [ -z "$notarize" ]; then
    cat <<'EOF'
   SIGNED but NOT NOTARIZED: Gatekeeper still blocks the first launch of a downloaded copy, as
   for an unsigned one. Set NOTARY_PROFILE (or APPLE_ID, APPLE_TEAM_ID and APPLE_APP_PASSWORD)
   for a release.
EOF
fi
