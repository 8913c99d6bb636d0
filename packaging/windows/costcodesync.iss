; Inno Setup 6 script for CostCodeSync: a per-user installer that needs no admin rights.
;
; Normally run by packaging\windows\build.ps1. By hand, after `python packaging\build.py`:
;
;   iscc /DAppVersion=1.2.3 packaging\windows\costcodesync.iss
;
; Defines (/DName=value on the iscc command line):
;   AppVersion         required: costcode_desktop.__version__, e.g. 1.2.3 or 1.2.3rc1
;   AppNumericVersion  optional: four numbers for the setup's own version resource (1.2.3.0);
;                      build.ps1 passes bundle_config.numeric_version(AppVersion)
;   SignToolName       optional: sign the setup and the uninstaller with this Inno Setup sign
;                      tool, defined on the same command line with /S, for example
;                        iscc "/Scostcodesign=signtool.exe sign /fd sha256 /tr http://timestamp.digicert.com /td sha256 /a $f"
;                             /DSignToolName=costcodesign /DAppVersion=1.2.3 packaging\windows\costcodesync.iss
;                      ($f is replaced by the file to sign). Sign CostCodeSync.exe and costcode-sync.exe before
;                      running iscc: the installer copies it as it is (build.ps1 does both).
;
; Output: packaging\dist\CostCodeSync-<AppVersion>-setup.exe
;
; NEVER change AppId: Windows and this installer recognise an installed CostCodeSync by it.
; A new AppId makes the next version a second, separate installation instead of an upgrade.

#if VER < EncodeVer(6, 3, 0)
  #error Inno Setup 6.3 or newer is needed (x64compatible); download it from https://jrsoftware.org/isdl.php
#endif

#ifndef AppVersion
  #error AppVersion is not defined: run iscc /DAppVersion=<costcode_desktop.__version__> costcodesync.iss, or packaging\windows\build.ps1, which passes it.
#endif

#define AppName "CostCodeSync"
#define AppPublisher "CostCodeSync"
#define AppExeName "CostCodeSync.exe"
; The headless command for scheduled refreshes, installed beside the app (see the README).
#define CliExeName "costcode-sync.exe"
#define AppIdGuid "F0A150D8-A08B-4569-BE92-20AD8EB6223C"
; Relative to this script (packaging\windows\): what packaging\build.py produces.
; check_with_wine.sh points BundleDir and OutputFolder elsewhere with /D.
#ifndef BundleDir
  #define BundleDir "..\dist\CostCodeSync"
#endif
#define IconFile "..\build\icons\costcodesync.ico"
#ifndef OutputFolder
  #define OutputFolder "..\dist"
#endif

#if !FileExists(AddBackslash(SourcePath) + BundleDir + "\" + AppExeName) && !FileExists(BundleDir + "\" + AppExeName)
  #error packaging\dist\CostCodeSync\CostCodeSync.exe not found: run python packaging\build.py first.
#endif
#if !FileExists(AddBackslash(SourcePath) + BundleDir + "\" + CliExeName) && !FileExists(BundleDir + "\" + CliExeName)
  #error packaging\dist\CostCodeSync\costcode-sync.exe not found: run python packaging\build.py first.
#endif
#if !FileExists(AddBackslash(SourcePath) + IconFile)
  #error packaging\build\icons\costcodesync.ico not found: run python packaging\render_icons.py (build.py does).
#endif

[Setup]
; The double brace writes one literal "{": AppId is the GUID in braces.
AppId={{{#AppIdGuid}}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
AppCopyright=Copyright (C) {#AppPublisher}
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} Setup
VersionInfoTextVersion={#AppVersion}
VersionInfoProductTextVersion={#AppVersion}
#ifdef AppNumericVersion
VersionInfoVersion={#AppNumericVersion}
#endif

; Per-user by default (no UAC prompt); the dialog lets IT choose "all users" instead.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
; {autopf} is %LOCALAPPDATA%\Programs for a per-user install, Program Files for all users.
DefaultDirName={autopf}\{#AppName}
DisableProgramGroupPage=yes
UsePreviousAppDir=yes

; PySide6 is 64-bit only and needs Windows 10 or later.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0

; Upgrades in place: close a running CostCodeSync (Restart Manager) before its files are
; replaced; Python extension modules (.pyd) are locked while it runs, like its DLLs.
CloseApplications=yes
; The running app holds this mutex (costcode_desktop/ui/single_instance.py, INSTALLER_MUTEX):
; setup and the uninstaller ask the user to close it first.
AppMutex=CostCodeSyncRunning
CloseApplicationsFilter=*.exe,*.dll,*.pyd
RestartApplications=no

SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\costcodesync.ico
UninstallDisplayName={#AppName}
WizardStyle=modern
OutputDir={#OutputFolder}
OutputBaseFilename={#AppName}-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
SetupLogging=yes

#ifdef SignToolName
; Signs Setup and the uninstaller it writes (SignedUninstaller is "yes" whenever SignTool is set).
SignTool={#SignToolName}
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; The previous version's bundle goes first, so no stale module or Qt plugin from an older
; version is left next to the new ones.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#IconFile}"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Comment: "Keep Procore project cost codes in line with the Sage 300 CRE list"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Anything written into the bundle folder after installation. The user's settings, history,
; logs (%LOCALAPPDATA%\CostCodeSync) and the sign-in in Credential Manager are kept.
Type: filesandordirs; Name: "{app}\_internal"
