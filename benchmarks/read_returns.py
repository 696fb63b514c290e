"""How long reading a large long-table return takes, against a bare python-calamine parse.

Writes a long table (报告期 / 填报单位 / 指标名称 / 计量单位 / 数值 / 备注) of ``--rows`` rows with
openpyxl's write-only mode, then measures, each in a fresh process (so peak memory is the
reader's own): a bare ``CalamineWorkbook`` parse reading every row, and
:func:`pingtai.returns.read_return`. Times are CPU seconds (best of ``--repeat``), so other load
on the machine does not blur them. Issue 8's target: the whole import at most 2× the bare parse.

    python benchmarks/read_returns.py --rows 100000
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "tests"
NAMES = [("网络零售额", "万元"), ("网络经营主体", "万家"), ("平台", "个"), ("共富驿站", "个"), ("数据知识产权登记", "件"),
         ("跨境电商进出口额", "亿元"), ("职业伤害保障政策覆盖率", "%")]
AGENCIES = ["市商务局", "绍兴市经济和信息化局", "市场监管局", "越城区政府", "市人社局"]

_MEASURE = """
import resource, sys, time
from pathlib import Path
sys.path.insert(0, {tests!r})
path, what, repeat = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
if what == "bare":
    from python_calamine import CalamineWorkbook
    def run():
        return sum(1 for _ in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows())
else:
    from workbooks import CATALOG
    from pingtai.returns import read_return
    def run():
        result = read_return(path, CATALOG)
        assert not result.errors and len(result.values) == int(sys.argv[4]), result.errors[:3]
best = float("inf")
for _ in range(repeat):
    start = time.process_time()
    run()
    best = min(best, time.process_time() - start)
print(best, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def write_long(path: Path, rows: int) -> None:
    """Every (indicator, agency, month) once: a plausible bulk history back-fill."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("长表")
    sheet.append(["报告期", "填报单位", "指标名称", "计量单位", "数值", "备注"])
    for i in range(rows):
        name, unit = NAMES[i % len(NAMES)]
        point = i // (len(NAMES) * len(AGENCIES))
        period = f"{1900 + point // 12}-{point % 12 + 1:02d}"
        sheet.append([period, AGENCIES[(i // len(NAMES)) % len(AGENCIES)], name, unit, round(1000 + i * 0.37, 2), ""])
    workbook.save(path)


def measure(path: Path, what: str, repeat: int, rows: int) -> tuple[float, int]:
    script = _MEASURE.format(tests=str(TESTS))
    done = subprocess.run([sys.executable, "-c", script, str(path), what, str(repeat), str(rows)],
                          capture_output=True, text=True, check=True)
    seconds, megabytes = done.stdout.split()
    return float(seconds), int(megabytes)


def main() -> None:
    parser = argparse.ArgumentParser(description="Time reading a long-table return against a bare calamine parse.")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.xlsx"
        write_long(path, args.rows)
        bare, bare_memory = measure(path, "bare", args.repeat, args.rows)
        reading, memory = measure(path, "read", args.repeat, args.rows)
        print(f"rows: {args.rows}  file: {path.stat().st_size / 2**20:.1f} MB")
        print(f"bare calamine parse: {bare:.3f} s CPU, peak {bare_memory} MB")
        print(f"read_return:         {reading:.3f} s CPU, peak {memory} MB  ({reading / bare:.2f}× the bare parse)")


if __name__ == "__main__":
    main()
