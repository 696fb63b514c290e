"""Draw the first page of the example bulletin as README shows it: ``docs/images/bulletin.png``.

Run from the repository root: ``python examples/make_bulletin_png.py [OUT.png]``. It imports the
example returns (示例数据，非官方统计) into a throwaway ledger as the README's quick start does (the 2023
history file as a back-fill, every other return received on the date written on it), writes the
2024 bulletin as a Word document (``pingtai bulletin --period 2024``), has LibreOffice (headless) print it to PDF and
poppler's ``pdftoppm`` draw page 1 at 96 dpi. Needs ``soffice`` (libreoffice-writer) and
``pdftoppm`` (poppler-utils), as the tests do.

The document names the fonts of GB/T 9704 (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体); a Linux
machine rarely has them, so LibreOffice is given a fontconfig file that maps each to an installed
face of the same kind (serif CJK for 宋/仿宋/楷, sans for 黑体) — the document itself is unchanged.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pingtai import service
from pingtai.importer import Receipt, import_files
from pingtai.loader import load_catalog
from pingtai.periods import Period
from pingtai.render import registry

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images" / "bulletin.png"
RETURNS = ROOT / "examples" / "returns"
HISTORY = RETURNS / "示例_历史数据补录_2023.xlsx"
IMPORTED = dt.datetime(2025, 2, 1, 1, 0, tzinfo=dt.UTC)
SERIF = ("Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN")
SANS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei")
ALIASES = {"仿宋_GB2312": SERIF, "仿宋": SERIF, "楷体_GB2312": ("AR PL UKai CN", *SERIF), "楷体": ("AR PL UKai CN", *SERIF),
           "方正小标宋简体": SERIF, "宋体": SERIF, "黑体": SANS, "Times New Roman": ("Liberation Serif", *SERIF)}


def fontconfig(directory: Path) -> Path:
    """A fontconfig file: the system's configuration plus the aliases above."""
    rules = "".join(
        f"<alias binding=\"same\"><family>{name}</family><prefer>{''.join(f'<family>{f}</family>' for f in faces)}"
        f"</prefer></alias>" for name, faces in ALIASES.items())
    path = directory / "fonts.conf"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f"<include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>{rules}</fontconfig>",
                    encoding="utf-8")
    return path


def main(out: Path = OUT) -> Path:
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if soffice is None or pdftoppm is None:
        raise SystemExit("需要 soffice（libreoffice-writer）和 pdftoppm（poppler-utils）")
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        store = service.Store(work / "ledger.sqlite3")
        catalog = load_catalog()
        import_files([HISTORY], catalog, store, now=IMPORTED, receipt=Receipt(backfill=True))
        import_files(sorted(set(RETURNS.glob("示例_*")) - {HISTORY}), catalog, store, now=IMPORTED)
        source = work / "bulletin.docx"
        source.write_bytes(registry.render(service.bulletin(catalog, store, Period(2024)), "docx"))
        env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig(work))}
        subprocess.run([soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(work), str(source)],
                       check=True, capture_output=True, env=env, timeout=240)
        subprocess.run([pdftoppm, "-png", "-r", "96", "-f", "1", "-l", "1", "-singlefile", str(work / "bulletin.pdf"),
                        str(work / "page")], check=True, capture_output=True, timeout=120)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(work / "page.png", out)
    return out


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
