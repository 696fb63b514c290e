"""How long reading a large long-table return takes, against a bare python-calamine parse.

Writes a long table (报告期 / 填报单位 / 指标名称 / 计量单位 / 数值 / 备注) of ``--rows`` rows with
openpyxl, then times :func:`pingtai.returns.read_return` and ``CalamineWorkbook`` reading every
row of the same file (best of ``--repeat``). Issue 8's target: the import at most 2× the bare parse.

    python benchmarks/read_returns.py --rows 100000
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from pingtai.returns import read_return
from workbooks import CATALOG, write_xlsx

NAMES = [("网络零售额", "万元"), ("网络经营主体", "万家"), ("平台", "个"), ("共富驿站", "个"), ("数据知识产权登记", "件"),
         ("跨境电商进出口额", "亿元"), ("职业伤害保障政策覆盖率", "%")]
AGENCIES = ["市商务局", "绍兴市经济和信息化局", "市场监管局", "越城区政府", "市人社局"]


def write_long(path: Path, rows: int) -> None:
    grid: list[list[object]] = [["报告期", "填报单位", "指标名称", "计量单位", "数值", "备注"]]
    for i in range(rows):
        name, unit = NAMES[i % len(NAMES)]
        point = i // (len(NAMES) * len(AGENCIES))  # every (indicator, agency, month) once
        period = f"{1900 + point // 12}-{point % 12 + 1:02d}"
        grid.append([period, AGENCIES[(i // len(NAMES)) % len(AGENCIES)], name, unit, round(1000 + i * 0.37, 2), ""])
    write_xlsx(path, {"长表": grid})


def bare(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    return sum(1 for _ in workbook.get_sheet_by_index(0).iter_rows())


def best(function: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.xlsx"
        write_long(path, args.rows)
        result = read_return(path, CATALOG)
        assert not result.errors, result.errors[:3]
        assert len(result.values) == args.rows
        calamine = best(lambda: bare(path), args.repeat)
        reading = best(lambda: read_return(path, CATALOG), args.repeat)
        print(f"rows: {args.rows}  file: {path.stat().st_size / 2**20:.1f} MB")
        print(f"bare calamine parse: {calamine:.3f} s")
        print(f"read_return:         {reading:.3f} s  ({reading / calamine:.2f}× the bare parse)")
        print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
