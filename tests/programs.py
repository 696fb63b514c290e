"""Real applications the tests drive: LibreOffice, Chromium and poppler (pdftotext, pdftoppm).

In CI (``CI`` set, as ``.ci/run`` runs) a missing program FAILS the test — the issues require the real
applications there, and ``.ci/run`` installs them; on a developer's machine without them the test skips.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def external(binary: str, package: str) -> str:
    """The path of ``binary``; in CI its absence fails the test, elsewhere it skips it."""
    found = shutil.which(binary) or (f"/usr/bin/{binary}" if Path(f"/usr/bin/{binary}").exists() else None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{binary} 未安装：CI 中必须用真实程序测试，请安装 {package}（.ci/run 会安装）")
        pytest.skip(f"{binary} not installed")
    return found


def soffice_convert(source: Path, fmt: str, out: Path, profile: Path, package: str = "libreoffice-calc") -> Path:
    """LibreOffice headless: convert ``source`` to ``fmt`` in ``out``; fail with its output if it cannot.

    ``package`` names what provides the converter (Writer for a Word document, Calc for a workbook).
    """
    out.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([external("soffice", package), f"-env:UserInstallation={profile.as_uri()}",
                             "--headless", "--convert-to", fmt, "--outdir", str(out), str(source)],
                            capture_output=True, text=True, timeout=240)
    converted = out / f"{source.stem}.{fmt.split(':')[0]}"
    assert result.returncode == 0 and converted.is_file(), (result.stdout, result.stderr)
    return converted


def chromium(url: str, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium on ``url`` with a throwaway profile and no network chatter."""
    binary = external("chromium", "chromium")
    return subprocess.run([binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={tmp / 'chromium-profile'}", *args, url],
                          capture_output=True, text=True, timeout=240)


def pdftotext(pdf: Path, *args: str) -> str:
    """The text of ``pdf`` as poppler's pdftotext extracts it (``args``: ``-layout``, ``-f 2`` …)."""
    result = subprocess.run([external("pdftotext", "poppler-utils"), *args, str(pdf), "-"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout
