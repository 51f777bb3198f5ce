; Inno Setup 6 script for the LeanOps Windows installer (per-machine, 64-bit).
;
; Made by CI on a Windows runner after `python build/build.py --no-deb`:
;     iscc /DAppVersion=0.1.0 build\inno\leanops.iss
; Output: build\dist\LeanOps-<version>-setup.exe
;
; Silent install for IT (all parameters optional):
;     LeanOps-0.1.0-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
;         /CONFIG=\\server\it\leanops.toml      copy this site config next to LeanOps.exe
;         /DBURL=postgresql://db.plant.local/leanops  /STATION=ST-01
;                                               or write a site config from these two values
;         /TASKS="kioskautostart"               start the station kiosk at every sign-in
; An existing leanops.toml is kept unless /CONFIG, /DBURL, /STATION or the wizard's
; "Site configuration" page give new values. It stays in place when LeanOps is uninstalled.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "LeanOps"
#define AppExe "LeanOps.exe"

[Setup]
AppId={{6C0F3B8E-5D2A-4E37-9A51-2F4C8B7D1E90}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist
OutputBaseFilename=LeanOps-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\leanops.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked
Name: "kioskautostart"; Description: "Start the station kiosk whenever someone signs in to Windows (kiosk PCs; the station comes from leanops.toml)"; Flags: unchecked

[Files]
Source: "..\dist\LeanOps\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
; A site config handed over with /CONFIG=path replaces the one next to the executable.
Source: "{param:CONFIG|}"; DestDir: "{app}"; DestName: "leanops.toml"; Flags: external skipifsourcedoesntexist uninsneveruninstall

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autoprograms}\{#AppName} kiosk"; Filename: "{app}\{#AppExe}"; Parameters: "kiosk"
Name: "{autoprograms}\{#AppName} self-check"; Filename: "{cmd}"; Parameters: "/k ""{app}\leanops-cli.exe"" --self-check"; IconFilename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon
Name: "{commonstartup}\{#AppName} kiosk"; Filename: "{app}\{#AppExe}"; Parameters: "kiosk"; Tasks: kioskautostart

[Run]
Filename: "{cmd}"; Parameters: "/k ""{app}\leanops-cli.exe"" --self-check"; Description: "Run the LeanOps self-check"; Flags: postinstall unchecked nowait
Filename: "{app}\{#AppExe}"; Description: "Start LeanOps"; Flags: postinstall skipifsilent nowait

[Code]
var
  SitePage: TInputQueryWizardPage;

function SiteConfigPath(): String;
begin
  Result := ExpandConstant('{app}\leanops.toml');
end;

procedure InitializeWizard();
begin
  SitePage := CreateInputQueryPage(wpSelectTasks,
    'Site configuration',
    'Which database does this PC use?',
    'Leave both empty to keep an existing leanops.toml (or to use a SQLite file for this PC ' +
    'only). Never enter a password: people type their own at sign-in.');
  SitePage.Add('Database URL, e.g. postgresql://db.plant.local:5432/leanops', False);
  SitePage.Add('Kiosk station (kiosk PCs only), e.g. ST-01', False);
  SitePage.Values[0] := ExpandConstant('{param:DBURL|}');
  SitePage.Values[1] := ExpandConstant('{param:STATION|}');
end;

function ShouldSkipPage(PageID: Integer): Boolean;
begin
  { A site config handed over with /CONFIG needs no questions. }
  Result := (PageID = SitePage.ID) and (ExpandConstant('{param:CONFIG|}') <> '');
end;

function UrlHasPassword(Url: String): Boolean;
var
  Rest: String;
  At: Integer;
begin
  Result := False;
  if Pos('://', Url) = 0 then
    Exit;
  Rest := Copy(Url, Pos('://', Url) + 3, Length(Url));
  At := Pos('@', Rest);
  Result := (At > 0) and (Pos(':', Copy(Rest, 1, At - 1)) > 0);
end;

function NextButtonClick(CurPageID: Integer): Boolean;
begin
  Result := True;
  if CurPageID = SitePage.ID then
  begin
    if UrlHasPassword(Trim(SitePage.Values[0])) then
    begin
      MsgBox('Remove the password from the database URL: LeanOps asks for it at sign-in and never stores it.', mbError, MB_OK);
      Result := False;
    end
    else if (Pos('''', SitePage.Values[0]) > 0) or (Pos('''', SitePage.Values[1]) > 0) then
    begin
      MsgBox('The values cannot contain a single quote.', mbError, MB_OK);
      Result := False;
    end;
  end;
end;

procedure CurStepChanged(CurStep: TSetupStep);
var
  Url, Station, Text: String;
begin
  if CurStep <> ssPostInstall then
    Exit;
  if ExpandConstant('{param:CONFIG|}') <> '' then
    Exit;
  Url := Trim(SitePage.Values[0]);
  Station := Trim(SitePage.Values[1]);
  if (Url = '') and (Station = '') then
    Exit;
  if UrlHasPassword(Url) then
    Exit;
  { TOML literal strings ('...') keep Windows paths' backslashes as they are. }
  Text := '# Written by the LeanOps installer; see docs/config.md for every key.' + #13#10;
  if Url <> '' then
    Text := Text + #13#10 + '[database]' + #13#10 + 'url = ''' + Url + '''' + #13#10;
  if Station <> '' then
    Text := Text + #13#10 + '[kiosk]' + #13#10 + 'station = ''' + Station + '''' + #13#10;
  if not SaveStringToFile(SiteConfigPath(), Text, False) then
    MsgBox('Could not write ' + SiteConfigPath(), mbError, MB_OK);
end;
