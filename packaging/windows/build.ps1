<#
.SYNOPSIS
Builds packaging\dist\CostCodeSync-<version>-setup.exe on Windows.

.DESCRIPTION
1. A fresh virtual environment in packaging\build\venv: pip install -e .[build] (the app and
   PyInstaller).
2. python packaging\build.py: icons, the PyInstaller bundle in packaging\dist\CostCodeSync\,
   then the bundle's own --self-test (the build stops if it fails).
3. If SIGNTOOL_CERT_SHA1 is set: signs CostCodeSync.exe and costcode-sync.exe with signtool.
4. Inno Setup's ISCC compiles packaging\windows\costcodesync.iss with the app's version (and
   signs the setup and its uninstaller when signing is on).

Run from anywhere, in PowerShell 5.1 or 7:
    powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1

Environment variables (all optional):
    SIGNTOOL_CERT_SHA1      thumbprint of the code-signing certificate in the current user's
                            certificate store (Cert:\CurrentUser\My; a hardware token's
                            certificate appears there once its driver is installed).
                            Unset: nothing is signed.
    SIGNTOOL_TIMESTAMP_URL  RFC 3161 timestamp server (default http://timestamp.digicert.com).
    SIGNTOOL_PATH           signtool.exe to use (default: PATH, then the newest Windows 10/11 SDK).
    ISCC                    ISCC.exe to use (default: Inno Setup 6, else 7, in its usual folders,
                            then PATH).
    PYTHON                  the Python 3.11+ that creates the build venv (default: py -3, or python).

.PARAMETER KeepVenv
Reuse packaging\build\venv instead of recreating it (faster; a release build should not).
#>
[CmdletBinding()]
param(
    [switch]$KeepVenv
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0

$Root = (Resolve-Path (Join-Path $PSScriptRoot '..\..')).Path
$Venv = Join-Path $Root 'packaging\build\venv'
$VenvPython = Join-Path $Venv 'Scripts\python.exe'
$Bundle = Join-Path $Root 'packaging\dist\CostCodeSync'
$AppExe = Join-Path $Bundle 'CostCodeSync.exe'
$CliExe = Join-Path $Bundle 'costcode-sync.exe'
$IssFile = Join-Path $PSScriptRoot 'costcodesync.iss'
$DefaultTimestampUrl = 'http://timestamp.digicert.com'
$InnoDownload = 'https://jrsoftware.org/isdl.php'

function Invoke-Native {
    # Runs a program and stops the build if it exits non-zero ($ErrorActionPreference does not
    # apply to native programs' exit codes).
    param(
        [Parameter(Mandatory = $true)][string]$FilePath,
        [string[]]$Arguments = @()
    )
    & $FilePath @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($Arguments -join ' ')' failed with exit code $LASTEXITCODE"
    }
}

function Get-NativeOutput {
    # Like Invoke-Native, returning what the program printed (trimmed).
    param(
        [Parameter(Mandatory = $true)][string]$FilePath,
        [string[]]$Arguments = @()
    )
    $output = & $FilePath @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($Arguments -join ' ')' failed with exit code $LASTEXITCODE"
    }
    return ($output -join "`n").Trim()
}

function Get-BasePython {
    # The interpreter that creates the venv, as a program and its leading arguments.
    if ($env:PYTHON) {
        return @{ File = $env:PYTHON; Args = @() }
    }
    if (Get-Command 'py.exe' -ErrorAction SilentlyContinue) {
        return @{ File = 'py.exe'; Args = @('-3') }
    }
    if (Get-Command 'python.exe' -ErrorAction SilentlyContinue) {
        return @{ File = 'python.exe'; Args = @() }
    }
    throw 'Python 3.11 or newer is needed: install it from python.org (or set PYTHON to python.exe).'
}

function Find-Iscc {
    # Inno Setup 6 first (what costcodesync.iss is written for), then 7, which keeps 6's script
    # language; each in its uninstall registry entry, its default folders, then PATH.
    if ($env:ISCC) {
        if (Test-Path -LiteralPath $env:ISCC -PathType Leaf) { return $env:ISCC }
        throw "ISCC is set to '$env:ISCC', which does not exist."
    }
    $candidates = @()
    foreach ($major in @('6', '7')) {
        $uninstallKeys = @(
            "HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\Inno Setup ${major}_is1",
            "HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\Inno Setup ${major}_is1",
            "HKCU:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\Inno Setup ${major}_is1"
        )
        foreach ($key in $uninstallKeys) {
            try {
                $location = Get-ItemPropertyValue -LiteralPath $key -Name 'InstallLocation' -ErrorAction Stop
            }
            catch {
                $location = $null
            }
            if ($location) { $candidates += (Join-Path $location 'ISCC.exe') }
        }
        foreach ($base in @(${env:ProgramFiles(x86)}, $env:ProgramFiles, (Join-Path $env:LOCALAPPDATA 'Programs'))) {
            if ($base) { $candidates += (Join-Path $base "Inno Setup $major\ISCC.exe") }
        }
    }
    foreach ($candidate in $candidates) {
        if (Test-Path -LiteralPath $candidate -PathType Leaf) { return $candidate }
    }
    $command = Get-Command 'ISCC.exe' -ErrorAction SilentlyContinue
    if ($command) { return $command.Path }
    throw ("Inno Setup (ISCC.exe) was not found. Install Inno Setup 6.3 or newer from $InnoDownload " +
        '(or: winget install JRSoftware.InnoSetup), or set ISCC to the full path of ISCC.exe.')
}

function Find-SignTool {
    if ($env:SIGNTOOL_PATH) {
        if (Test-Path -LiteralPath $env:SIGNTOOL_PATH -PathType Leaf) { return $env:SIGNTOOL_PATH }
        throw "SIGNTOOL_PATH is set to '$env:SIGNTOOL_PATH', which does not exist."
    }
    $command = Get-Command 'signtool.exe' -ErrorAction SilentlyContinue
    if ($command) { return $command.Path }
    if (${env:ProgramFiles(x86)}) {
        $kits = Join-Path ${env:ProgramFiles(x86)} 'Windows Kits\10\bin'
        if (Test-Path -LiteralPath $kits) {
            # bin\<SDK version>\x64\signtool.exe: the newest SDK first.
            $found = Get-ChildItem -Path $kits -Filter 'signtool.exe' -Recurse -ErrorAction SilentlyContinue |
                Where-Object { $_.Directory.Name -eq 'x64' } |
                Sort-Object -Descending -Property @{ Expression = {
                        $sdk = [version]'0.0'
                        [void][version]::TryParse($_.Directory.Parent.Name, [ref]$sdk)
                        $sdk
                    } } |
                Select-Object -First 1
            if ($found) { return $found.FullName }
        }
    }
    throw ('SIGNTOOL_CERT_SHA1 is set but signtool.exe was not found: install the Windows SDK ' +
        '(signing tools) or set SIGNTOOL_PATH.')
}

Push-Location $Root
try {
    Write-Host "== venv: $Venv"
    if (-not $KeepVenv -and (Test-Path -LiteralPath $Venv)) {
        Remove-Item -LiteralPath $Venv -Recurse -Force
    }
    if (-not (Test-Path -LiteralPath $VenvPython)) {
        $base = Get-BasePython
        Invoke-Native $base.File ($base.Args + @('-m', 'venv', $Venv))
    }
    $env:PIP_DISABLE_PIP_VERSION_CHECK = '1'
    # The app, editable, with the `build` extra of pyproject.toml (PyInstaller), as CI installs it.
    Invoke-Native $VenvPython @('-m', 'pip', 'install', '-q', '-e', '.[build]')

    $version = Get-NativeOutput $VenvPython @('-c', 'import costcode_desktop; print(costcode_desktop.__version__)')
    # No double quotes inside arguments: Windows PowerShell 5.1 passes them to programs unescaped.
    $numericScript = 'import sys; sys.path.insert(0, ''packaging''); import bundle_config as b; ' +
        'print(''.''.join(str(n) for n in b.numeric_version(b.version())))'
    $numericVersion = Get-NativeOutput $VenvPython @('-c', $numericScript)
    Write-Host "== CostCodeSync $version ($numericVersion)"

    # Find the tools before the long build, so a missing one fails in seconds.
    $iscc = Find-Iscc
    $certSha1 = $env:SIGNTOOL_CERT_SHA1
    $signtool = $null
    if ($certSha1) { $signtool = Find-SignTool }

    Write-Host '== bundle + self-test: python packaging\build.py'
    Invoke-Native $VenvPython @('packaging\build.py')
    foreach ($exe in @($AppExe, $CliExe)) {
        if (-not (Test-Path -LiteralPath $exe -PathType Leaf)) {
            throw "The build did not produce $exe"
        }
    }

    $isccArgs = @("/DAppVersion=$version", "/DAppNumericVersion=$numericVersion")
    if ($certSha1) {
        $timestampUrl = $DefaultTimestampUrl
        if ($env:SIGNTOOL_TIMESTAMP_URL) { $timestampUrl = $env:SIGNTOOL_TIMESTAMP_URL }
        $signArgs = @('sign', '/fd', 'sha256', '/tr', $timestampUrl, '/td', 'sha256', '/sha1', $certSha1)

        foreach ($exe in @($AppExe, $CliExe)) {
            Write-Host "== signing $exe"
            Invoke-Native $signtool ($signArgs + @($exe))
            Invoke-Native $signtool @('verify', '/pa', $exe)
        }

        # Inno Setup signs the setup and the uninstaller with this command: $q is a quote and
        # $f the file to sign (single quotes keep PowerShell from expanding them).
        $innoSign = '$q' + $signtool + '$q ' + ($signArgs -join ' ') + ' $f'
        $isccArgs += @("/Scostcodesign=$innoSign", '/DSignToolName=costcodesign')
    }
    else {
        Write-Host '== not signing: SIGNTOOL_CERT_SHA1 is not set (SmartScreen will warn users).'
    }

    Write-Host "== installer: $iscc"
    Invoke-Native $iscc ($isccArgs + @($IssFile))

    $setup = Join-Path $Root "packaging\dist\CostCodeSync-$version-setup.exe"
    if (-not (Test-Path -LiteralPath $setup -PathType Leaf)) {
        throw "ISCC finished but $setup is not there"
    }
    if ($certSha1) { Invoke-Native $signtool @('verify', '/pa', $setup) }
    $hash = (Get-FileHash -LiteralPath $setup -Algorithm SHA256).Hash
    $megabytes = [math]::Round((Get-Item -LiteralPath $setup).Length / 1MB, 1)
    Write-Host "== done: $setup ($megabytes MB)"
    Write-Host "   SHA-256 $hash"
}
finally {
    Pop-Location
}
