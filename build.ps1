#!/usr/bin/env pwsh
# crossboard's bootstrapper for PowerShell: builds the build host when its sources changed, then
# runs it; when nothing changed it runs the built program directly (no `dotnet run` per call).
$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$project = Join-Path $root 'build/Build.csproj'
# Published, not just built (see below); build/bin is outside the sources that trigger a rebuild.
$out = Join-Path $root 'build/bin/host'
$app = Join-Path $out 'Build.dll'
$stamp = Join-Path $out '.sources'

if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    Write-Error 'build.ps1: the .NET SDK (dotnet, version 10) is not installed or not on PATH: https://dot.net'
    exit 1
}

$sources = Get-ChildItem -Path (Join-Path $root 'build') -Recurse -File -Include '*.cs', '*.csproj', '*.props', '*.targets', '*.txt' |
    Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' }
$globalJson = Join-Path $root 'global.json'
if (Test-Path $globalJson) { $sources += Get-Item $globalJson }
$fingerprint = ($sources | ForEach-Object { $_.FullName } | Sort-Object) -join "`n"
$fingerprint = [System.BitConverter]::ToString(
    [System.Security.Cryptography.SHA256]::Create().ComputeHash([System.Text.Encoding]::UTF8.GetBytes($fingerprint)))

$needsBuild = -not (Test-Path $app) -or -not (Test-Path $stamp) -or ((Get-Content $stamp -Raw) -ne $fingerprint)
if (-not $needsBuild) {
    $built = (Get-Item $stamp).LastWriteTimeUtc
    $needsBuild = [bool]($sources | Where-Object { $_.LastWriteTimeUtc -gt $built } | Select-Object -First 1)
}

if ($needsBuild) {
    Write-Host 'build.ps1: building the build host (sources changed) ...'
    $log = [System.IO.Path]::GetTempFileName()
    # build/HostPublish.props's quick host (ReadyToRun: compiled ahead for this machine, so a run
    # does not JIT-compile the host first); where that cannot be done (no crossgen package for
    # this platform), its plain one.
    $publish = @('publish', $project, '-c', 'Release', '--nologo', '-v', 'quiet', '--artifacts-path', (Join-Path $root 'build/bin/.host'), '-o', $out)
    dotnet @publish -p:CrossboardHost=quick *> $log
    if ($LASTEXITCODE -ne 0) {
        dotnet @publish -p:CrossboardHost=plain *>> $log
    }
    if ($LASTEXITCODE -ne 0) {
        Get-Content $log | Select-String -Pattern 'error' | Select-Object -First 40 | ForEach-Object { Write-Host $_ }
        Write-Error "build.ps1: building the build host failed; full log: $log"
        exit 1
    }
    Remove-Item $log
    Set-Content -Path $stamp -Value $fingerprint -NoNewline
}

$env:CROSSBOARD_ROOT = $root
& dotnet $app @args
exit $LASTEXITCODE
