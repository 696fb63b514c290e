"""Regenerate ``docs/images/report_page.png``: one page of the xlsx report as the office prints it.

The example returns are imported into a throwaway ledger as the README's quick start does (the
2023 history as a back-fill), ``pingtai report`` writes the xlsx report of 市商务局 as it stood on
1 February 2025 (the quick start's date), LibreOffice exports it to PDF and pdftoppm renders the page that opens the ``指标`` sheet at 60 dpi. Needs ``soffice``
and ``pdftoppm`` (LibreOffice and poppler-utils). Run from anywhere:

    .venv/bin/python docs/images/make_report_png.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "report_page.png"
AGENCY = "市商务局"
AS_OF = "2025-02-01"
PAGE_TITLE = f"{AGENCY} · 相关指标"
DPI = 60


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        pingtai = (sys.executable, "-m", "pingtai", "--db", str(tmp / "ledger.sqlite3"))
        returns = ROOT / "examples" / "returns"  # imported as the quick start does: the history as a back-fill
        run(*pingtai, "import", "--backfill", str(returns / "示例_历史数据补录_2023.xlsx"))
        run(*pingtai, "import", *map(str, sorted(returns.glob("示例_市*"))))
        workbook = tmp / "report.xlsx"
        run(*pingtai, "report", "--agency", AGENCY, "--as-of", AS_OF, "-o", str(workbook))
        run("soffice", f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless", "--convert-to", "pdf",
            "--outdir", str(tmp), str(workbook))
        pdf = workbook.with_suffix(".pdf")
        pages = run("pdftotext", str(pdf), "-").split("\f")
        page = next(n for n, text in enumerate(pages, start=1) if PAGE_TITLE in text)
        run("pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
            str(OUT.with_suffix("")))
    print(f"{OUT.relative_to(ROOT)}: page {page}, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
