"""Time pingtai against the floors it is measured by and print a Markdown table of medians and ratios.

    python benchmarks/run.py            # the full run (a few minutes on two cores)
    python benchmarks/run.py --quick    # tiny sizes, one repetition: checks the harness works

Every scenario runs in fresh subprocesses, several times (``--runs``), and reports the median wall
time, the median CPU time (user + system: less sensitive to other processes on a shared machine)
and the peak resident memory of each child (``os.wait4``'s ``ru_maxrss``, per child). Ratios
compare medians measured in the same run:

* cold start — ``pingtai --version`` and ``pingtai --help`` against ``python -c "import typer"``;
* one agency's return — the example 市商务局 workbook imported into a fresh ledger, against
  ``pingtai --version`` run taking turns with it;
* import — ``pingtai import`` of a long workbook into a fresh ledger against a bare python-calamine
  parse of the same file and an openpyxl read-only parse, each in a fresh process; and the peak
  memory of an import at the cell cap (2,000,000 cells: 333,332 rows of six columns under the header);
* SQLite against PostgreSQL — the largest import into a fresh file and a fresh database, taking turns,
  then ``status`` on each (a throwaway local cluster, started as the tests start it; skipped with a
  note when no server binaries are found);
* status — ``pingtai status`` on ledgers of growing size against ``pingtai --version``: the values
  grow at a fixed number of indicators, then the indicators grow at a fixed number of values;
* JSON — ``status``, ``report`` and ``check`` with ``--json`` against the same command's plain
  output, taking turns, on the 100k-value ledger;
* every unit's returns — ``pingtai league`` and ``pingtai bulletin`` (101 units owe returns)
  against ``status`` on the same ledger, taking turns;
* the catalog load (YAML → models) of the bundled plans, in-process, median of many.
* value classes — a five-field class defined, and one built, as a frozen dataclass (with and
  without ``fast_init``) and as a ``pingtai.frozen.Record``, in-process, median of many.

Workbooks and catalogs come from ``benchmarks/generate.py``. The ledgers of up to 100 000 values
are the ones the timed imports wrote; the million-value ledger is written through the ledger API
in one transaction (importing it would take most of the run; the import of a million rows is
timed once, as information, unless ``--skip-million``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1] / "tests"))  # the throwaway PostgreSQL cluster

import generate
import postgres_server
from pingtai.returns.scan import MAX_CELLS

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "returns" / "示例_市商务局_2024Q4.xlsx"
"""One agency's return: the example 市商务局 template workbook (46 rows on four sheets)."""
CAP_ROWS = MAX_CELLS // len(generate.HEADER) - 1
"""The most value rows a six-column long table may have: 333,332 under the header, 1,999,998 cells
(``pingtai.returns.scan.MAX_CELLS``; one more row is refused as too large)."""

PYTHON = sys.executable
PINGTAI = [PYTHON, "-m", "pingtai"]
CACHE = "PINGTAI_CACHE_DIR"
AS_OF = "2025-01-25"
"""The status date: just after the synthetic values' last month (2024-12) is due."""
BULLETIN_PERIOD = "2024-12"
"""The bulletin's period: the synthetic values' last month (its own default date, 2025-01-21)."""
CALAMINE = ("import sys\nfrom python_calamine import CalamineWorkbook\n"
            "CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()")
OPENPYXL = ("import sys\nimport openpyxl\nbook = openpyxl.load_workbook(sys.argv[1], read_only=True)\n"
            "rows = list(book.worksheets[0].iter_rows(values_only=True))\nbook.close()")


@dataclass
class Sample:
    """One child process: wall and CPU seconds, peak resident memory in MiB."""

    wall: float
    cpu: float
    rss: float


@dataclass
class Result:
    """Every sample of one scenario, and its medians."""

    label: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def rss(self) -> float:
        return max(s.rss for s in self.samples)


def measure(command: Sequence[str | Path], *, env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)) -> Sample:
    """Run ``command`` to completion, its output discarded (piped output: plain text, no colour);
    an exit code outside ``ok`` stops the run."""
    start = time.perf_counter()
    child = subprocess.Popen([str(c) for c in command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             env=env)
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    child.stderr.close()
    if child.returncode not in ok:
        raise SystemExit(f"{' '.join(map(str, command))} exited {child.returncode}:\n{errors.decode(errors='replace')}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def repeat(label: str, command: Sequence[str | Path], runs: int, *, env: dict[str, str] | None = None) -> Result:
    result = Result(label)
    for _ in range(runs):
        result.samples.append(measure(command, env=env))
    return result


def interleaved(commands: dict[str, Sequence[str | Path]], runs: int, *, ok: tuple[int, ...] = (0,)) -> dict[str, Result]:
    """Run each command ``runs`` times, taking turns, so drift on a shared machine hits all alike."""
    results = {label: Result(label) for label in commands}
    for _ in range(runs):
        for label, command in commands.items():
            results[label].samples.append(measure(command, ok=ok))
    return results


# --- the scenarios ----------------------------------------------------------------------------------


def cold_start(runs: int) -> dict[str, Result]:
    return interleaved({
        'python -c "import typer"': [PYTHON, "-c", "import typer"],
        "pingtai --version": [*PINGTAI, "--version"],
        "pingtai --help": [*PINGTAI, "--help"],
    }, runs)


def one_return(work: Path, runs: int) -> tuple[Result, Result]:
    """The example agency's return imported into a fresh ledger (bundled plans) and, taking turns
    with it, ``--version``. A first import, not counted, fills the catalog cache as any earlier
    command would have."""
    imported, version = Result("one return"), Result("version")
    for run in range(runs + 1):
        folder = work / f"one-{run}"
        shutil.rmtree(folder, ignore_errors=True)
        sample = measure([*PINGTAI, "--db", folder / "ledger.sqlite3", "import", EXAMPLE])
        if run:
            imported.samples.append(sample)
            version.samples.append(measure([*PINGTAI, "--version"]))
        shutil.rmtree(folder)
    return imported, version


def json_runs(root: Path, ledger: Path, agency: str, runs: int) -> dict[str, Result]:
    """``status``, ``report`` and ``check`` on ``ledger``, each plain and with ``--json``, taking turns
    (``check`` exits 1: the synthetic ledger has findings)."""
    base: list[str | Path] = [*PINGTAI, "--data", root / "data", "--db", ledger]
    commands: dict[str, Sequence[str | Path]] = {}
    arguments: list[tuple[str, list[str]]] = [("status", ["status"]), ("report", ["report", "--agency", agency]),
                                               ("check", ["check"])]
    for name, args in arguments:
        commands[name] = [*base, *args, "--as-of", AS_OF]
        commands[f"{name} --json"] = [*base, *args, "--as-of", AS_OF, "--json"]
    return interleaved(commands, runs, ok=(0, 1))


def import_runs(root: Path, rows: int, runs: int) -> tuple[Result, Result, Result, Path]:
    """Bare parses and imports of ``root/returns.xlsx``, taking turns; returns the last run's ledger."""
    book = root / "returns.xlsx"
    calamine, openpyxl_, imported = (Result("calamine"), Result("openpyxl"), Result("import"))
    ledger = root / "ledger.sqlite3"
    for run in range(runs):
        calamine.samples.append(measure([PYTHON, "-c", CALAMINE, book]))
        openpyxl_.samples.append(measure([PYTHON, "-c", OPENPYXL, book]))
        folder = root / f"import-{run}"
        shutil.rmtree(folder, ignore_errors=True)
        ledger = folder / "ledger.sqlite3"
        imported.samples.append(measure([*PINGTAI, "--data", root / "data", "--db", ledger, "import", book]))
    for run in range(runs - 1):
        shutil.rmtree(root / f"import-{run}")
    return calamine, openpyxl_, imported, ledger


def status_run(root: Path, ledger: Path, runs: int) -> tuple[Result, Result]:
    """``status`` on ``ledger`` and, taking turns with it, ``--version``: the ratio compares runs
    made at the same time, so drift on a shared machine hits both."""
    results = interleaved({
        "status": [*PINGTAI, "--data", root / "data", "--db", ledger, "status", "--as-of", AS_OF],
        "version": [*PINGTAI, "--version"],
    }, runs)
    return results["status"], results["version"]


def postgres_runs(root: Path, runs: int) -> dict[str, Result] | None:
    """``root/returns.xlsx`` imported into a fresh SQLite file and into a fresh PostgreSQL database, taking
    turns; then ``status`` on each of the last two, taking turns. The server is a throwaway cluster
    (initdb + pg_ctl in a temp dir, as the tests start it); ``None`` when no server binaries are installed."""
    cluster = postgres_server.start()
    if cluster is None:
        return None
    results = {name: Result(name) for name in ("sqlite import", "postgres import")}
    try:
        data: list[str | Path] = ["--data", root / "data"]
        sqlite_ledger, url = root / "pg-compare-0" / "ledger.sqlite3", ""
        for run in range(runs):
            folder = root / f"pg-compare-{run}"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            sqlite_ledger, url = folder / "ledger.sqlite3", cluster.url(cluster.fresh_database())
            results["sqlite import"].samples.append(
                measure([*PINGTAI, *data, "--db", sqlite_ledger, "import", root / "returns.xlsx"]))
            results["postgres import"].samples.append(
                measure([*PINGTAI, *data, "--db", url, "import", root / "returns.xlsx"]))
        results.update(interleaved({
            "sqlite status": [*PINGTAI, *data, "--db", sqlite_ledger, "status", "--as-of", AS_OF],
            "postgres status": [*PINGTAI, *data, "--db", url, "status", "--as-of", AS_OF],
        }, runs))
    finally:
        cluster.stop()
    return results


def catalog_load(directory: Path | None, times: int, *, cached: bool) -> tuple[float, int]:
    """Median seconds of :func:`pingtai.loader.load_catalog` in-process, and the plan indicators.

    ``cached=False`` parses and validates the YAML every time (the cache turned off); ``True``
    reads the cache of assembled catalogs. The first call (imports, filling the cache) is not counted.
    """
    from pingtai.loader import load_catalog

    saved = os.environ.get(CACHE)
    if not cached:
        os.environ[CACHE] = ""
    try:
        catalog = load_catalog(directory)
        samples = []
        for _ in range(times):
            start = time.perf_counter()
            load_catalog(directory)
            samples.append(time.perf_counter() - start)
    finally:
        if saved is not None:
            os.environ[CACHE] = saved
    return statistics.median(samples), sum(len(p.indicators) for p in catalog.plans)


FIVE_FIELDS = "    a: int\n    b: str\n    c: float = 0.0\n    d: object = None\n    e: str = ''\n"
VALUE_CLASSES = {
    "frozen dataclass": "@dataclass(frozen=True)\nclass C{i}:\n",
    "frozen dataclass with fast_init": "@fast_init\n@dataclass(frozen=True)\nclass C{i}:\n",
    "frozen.Record": "class C{i}(Record):\n",
}
"""How pingtai defines a value class, each as source for one class of :data:`FIVE_FIELDS`."""


def value_class_costs(classes: int, repeats: int) -> dict[str, tuple[float, float, float]]:
    """Per kind of :data:`VALUE_CLASSES`: median seconds to define one class (``classes`` defined at a
    time), to build one with two fields by position (defaults for the rest) and with all five."""
    import dataclasses
    import timeit

    from pingtai.frozen import Record, fast_init

    costs = {}
    for kind, head in VALUE_CLASSES.items():
        code = compile("".join(head.format(i=i) + FIVE_FIELDS for i in range(classes)), kind, "exec")
        defined = []
        namespace: dict[str, object] = {}
        for _ in range(repeats):
            namespace = {"dataclass": dataclasses.dataclass, "fast_init": fast_init, "Record": Record}
            start = time.perf_counter()
            exec(code, namespace)  # the source above: the classes' own definitions, timed
            defined.append((time.perf_counter() - start) / classes)
        built = [statistics.median(timeit.repeat(stmt, globals={"C": namespace["C0"]}, number=10_000, repeat=repeats))
                 / 10_000 for stmt in ("C(1, 'x')", "C(1, 'x', 2.0, None, 'y')")]
        costs[kind] = (statistics.median(defined), built[0], built[1])
    return costs


# --- the report -------------------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} "
            f"{platform.release()}; {dt.date.today().isoformat()}; load average at the end {load}")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def size(count: int) -> str:
    return f"{count // 1_000_000}M" if count >= 1_000_000 and count % 1_000_000 == 0 else (
        f"{count // 1000}k" if count >= 1000 and count % 1000 == 0 else str(count))


def verdict(ratio: float, limit: float) -> str:
    return f"≤ {limit:g} {'✓' if ratio <= limit else '✗'}"


@dataclass
class Table:
    rows: list[list[str]] = field(default_factory=list)

    def add(self, scenario: str, result: Result | None, ratio: str = "", target: str = "",
            wall: float | None = None) -> None:
        if result is None:
            self.rows.append([scenario, ms(wall or 0), "", "", ratio, target])
        else:
            self.rows.append([scenario, ms(result.wall), ms(result.cpu), f"{result.rss:,.0f} MiB", ratio, target])

    def markdown(self) -> str:
        head = ["scenario", "median wall", "median CPU", "peak RSS", "ratio", "target"]
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---", "---:", "---:", "---:", "---", "---"]) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repetition (a smoke test)")
    parser.add_argument("--runs", type=int, help="repetitions of each scenario (default 5; 1 with --quick)")
    parser.add_argument("--work", type=Path, help="keep the generated files and ledgers in this directory")
    parser.add_argument("--skip-million", action="store_true", help="no 1M-value ledger (saves a few minutes)")
    args = parser.parse_args(argv)
    runs = args.runs or (1 if args.quick else 5)
    if args.quick:
        indicators, import_sizes, values, million, scaling = 20, [200], 200, None, [10, 20]
        start_runs, catalog_times, cap_rows = 1, 3, 300
    else:
        indicators, import_sizes, values, million, scaling = 2000, [10_000, 100_000], 100_000, 1_000_000, [500, 1000]
        start_runs, catalog_times, cap_rows = max(runs, 15), 50, CAP_ROWS
        if args.skip_million:
            million = None
    work = args.work or Path(tempfile.mkdtemp(prefix="pingtai-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ[CACHE] = str(work / "cache")  # the catalog cache of every child, kept apart from the user's
    # Measure pingtai as it runs on a user's machine: with its modules' bytecode cached. Where
    # PYTHONDONTWRITEBYTECODE is set, every child would compile every edited module again.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    import pingtai

    measure([PYTHON, "-m", "compileall", "-q", Path(pingtai.__file__).parent])  # as installing a wheel does
    table = Table()
    try:
        log = print if not args.quick else (lambda *a, **k: None)
        log(f"# working in {work}", file=sys.stderr)

        starts = cold_start(start_runs)
        typer_, version, help_ = (starts['python -c "import typer"'], starts["pingtai --version"],
                                  starts["pingtai --help"])
        table.add('`python -c "import typer"`', typer_, "1.00")
        ratio = version.wall / typer_.wall
        table.add("`pingtai --version`", version, f"{ratio:.2f} × import typer", verdict(ratio, 1.5))
        table.add("`pingtai --help`", help_, f"{help_.wall / typer_.wall:.2f} × import typer")
        one, beside_one = one_return(work, start_runs)
        ratio = one.wall / beside_one.wall
        table.add("one agency's return (市商务局, 46 rows) → fresh ledger", one,
                  f"{ratio:.2f} × --version ({ms(beside_one.wall)} alongside)", verdict(ratio, 2.0))

        ledgers: dict[tuple[int, int], tuple[Path, Path]] = {}  # (indicators, values) → (root, ledger)
        for rows in import_sizes:
            root = work / f"n{indicators}-v{rows}"
            log(f"# generating {rows} rows", file=sys.stderr)
            generate.generate(root, indicators, rows)
            calamine, openpyxl_, imported, ledger = import_runs(root, rows, runs)
            ledgers[(indicators, rows)] = (root, ledger)
            label = f"{size(rows)} rows"
            table.add(f"bare python-calamine parse, {label}", calamine, "1.00")
            table.add(f"openpyxl read-only parse, {label}", openpyxl_, f"{openpyxl_.wall / calamine.wall:.2f} × calamine")
            ratio = imported.wall / calamine.wall
            target = (f"{verdict(ratio, 3.0)} (stretch 2.5), ≤ 300 MiB {'✓' if imported.rss <= 300 else '✗'}"
                      if rows == max(import_sizes) else "")
            table.add(f"`pingtai import`, {label} → empty ledger", imported,
                      f"{ratio:.2f} × calamine, {imported.wall / openpyxl_.wall:.2f} × openpyxl", target)

        rows = max(import_sizes)
        log(f"# SQLite against PostgreSQL: {indicators} indicators × {rows} values", file=sys.stderr)
        compared = postgres_runs(work / f"n{indicators}-v{rows}", runs)
        if compared is None:
            table.rows.append(["PostgreSQL rows skipped: no server binaries (initdb, pg_ctl) found", "", "", "", "", ""])
        else:
            for what, label in (("import", f"`pingtai import`, {size(rows)} rows → empty ledger"),
                                ("status", f"`pingtai status`, {indicators:,} indicators × {size(rows)} values")):
                base, other = compared[f"sqlite {what}"], compared[f"postgres {what}"]
                ratio = other.wall / base.wall
                table.add(f"{label}, SQLite", base, "1.00")
                table.add(f"{label}, PostgreSQL (local socket)", other, f"{ratio:.2f} × SQLite", verdict(ratio, 1.5))

        root = work / f"n{indicators}-v{cap_rows}"
        log(f"# generating and importing {cap_rows} rows (the cell cap)", file=sys.stderr)
        generate.generate(root, indicators, cap_rows)
        capped = repeat("cap", [*PINGTAI, "--data", root / "data", "--db", root / "ledger.sqlite3", "import",
                                root / "returns.xlsx"], 1)
        shutil.rmtree(root)
        cap = " (the cell cap)" if cap_rows == CAP_ROWS else ""
        table.add(f"`pingtai import`, {cap_rows:,} rows{cap} → empty ledger, one run", capped, "",
                  f"≤ 400 MiB {'✓' if capped.rss <= 400 else '✗'}")

        if million is not None:
            root = work / f"n{indicators}-v{million}"
            log("# generating the 1M-value ledger through the ledger API", file=sys.stderr)
            ledger = root / "ledger.sqlite3"
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir(parents=True)
            measure([PYTHON, Path(__file__).with_name("generate.py"), root, "--indicators", str(indicators),
                     "--values", str(million), "--ledger", ledger, "--no-workbook"])
            ledgers[(indicators, million)] = (root, ledger)
        for count in scaling:
            root = work / f"n{count}-v{values}"
            log(f"# generating and importing {count} indicators × {values} values", file=sys.stderr)
            generate.generate(root, count, values)
            ledger = root / "ledger.sqlite3"
            measure([*PINGTAI, "--data", root / "data", "--db", ledger, "import", root / "returns.xlsx"])
            ledgers[(count, values)] = (root, ledger)

        statuses: dict[tuple[int, int], Result] = {}
        alongside: dict[tuple[int, int], Result] = {}  # --version, run taking turns with each status
        for (count, stored), (root, ledger) in ledgers.items():
            log(f"# status: {count} indicators × {stored} values", file=sys.stderr)
            statuses[(count, stored)], alongside[(count, stored)] = status_run(root, ledger, runs)
        for (count, stored), result in sorted(statuses.items(), key=lambda kv: (kv[0][0] != indicators, kv[0])):
            beside = alongside[(count, stored)].wall
            ratio = result.wall / beside
            how = "API" if stored == million else "import"
            target = verdict(ratio, 8) if count == indicators and stored in (values, million) else ""
            table.add(f"`pingtai status`, {count:,} indicators × {size(stored)} values ({how})", result,
                      f"{ratio:.2f} × --version ({ms(beside)} alongside)", target)
        root, ledger = ledgers[(indicators, values)]
        log(f"# --json against plain output: {indicators} indicators × {values} values", file=sys.stderr)
        owner = generate.agencies()[generate.indicators(indicators, 1)[0].owner][0]
        outputs = json_runs(root, ledger, owner, runs)
        for name in ("status", "report", "check"):
            plain, as_json = outputs[name], outputs[f"{name} --json"]
            ratio = as_json.wall / plain.wall
            table.add(f"`pingtai {name} --json`, {indicators:,} indicators × {size(values)} values", as_json,
                      f"{ratio:.2f} × plain {name} ({ms(plain.wall)} alongside)", verdict(ratio, 1.25))
        cold = repeat("status", [*PINGTAI, "--data", root / "data", "--db", ledger, "status", "--as-of", AS_OF], runs,
                      env={**os.environ, CACHE: ""})
        beside = alongside[(indicators, values)].wall
        table.add(f"`pingtai status`, {indicators:,} indicators × {size(values)} values, catalog cache off", cold,
                  f"{cold.wall / beside:.2f} × --version")
        by_count = sorted((count, r.wall) for (count, stored), r in statuses.items() if stored == values)
        if len(by_count) >= 2:
            # linear in indicators ⇔ each added indicator costs about the same, whatever the size
            steps = " · ".join(f"{a:,}→{b:,}: {(tb - ta) / (b - a) * 1e6:,.0f} µs"
                               for (a, ta), (b, tb) in itertools.pairwise(by_count))
            table.rows.append([f"status: cost of each added indicator ({size(values)} values)", steps, "", "", "",
                               "about equal = linear"])
        by_values = sorted((stored, r.wall) for (count, stored), r in statuses.items() if count == indicators)
        if len(by_values) >= 2:
            (low, t_low), (high, t_high) = by_values[0], by_values[-1]
            table.rows.append([f"status: {size(low)} → {size(high)} values ({indicators:,} indicators)",
                               f"× {t_high / t_low:.2f}", "", "", f"values × {high / low:g}", ""])

        # league and bulletin read every unit's returns: once, not through a report (a dashboard) per unit
        data: list[str | Path] = ["--data", root / "data", "--db", ledger]
        units = interleaved({
            "status": [*PINGTAI, *data, "status", "--as-of", AS_OF],
            "league": [*PINGTAI, *data, "league", "--as-of", AS_OF],
            "bulletin": [*PINGTAI, *data, "bulletin", "--period", BULLETIN_PERIOD, "--format", "md"],
        }, runs)
        for name, what in (("league", "`pingtai league`"), ("bulletin", "`pingtai bulletin --format md`")):
            table.add(f"{what}, {indicators:,} indicators × {size(values)} values, 101 units", units[name],
                      f"{units[name].wall / units['status'].wall:.2f} × status ({ms(units['status'].wall)} alongside)")

        for cached in (False, True):
            how = "from the cache" if cached else "YAML → models, no cache"
            bundled, plan_indicators = catalog_load(None, catalog_times, cached=cached)
            table.add(f"catalog load, bundled plans ({plan_indicators} plan indicators), {how}", None,
                      f"median of {catalog_times}", "≪ 100 ms " + ("✓" if bundled < 0.05 else "✗"), wall=bundled)
        big = work / f"n{indicators}-v{values}" / "data"
        for cached in (False, True):
            how = "from the cache" if cached else "YAML → models, no cache"
            seconds, _ = catalog_load(big, max(3, catalog_times // 10), cached=cached)
            table.add(f"catalog load, synthetic plan of {indicators:,} indicators, {how}", None,
                      f"median of {max(3, catalog_times // 10)}", "", wall=seconds)

        costs = value_class_costs(40, max(3, catalog_times // 5))
        dataclass_define = costs["frozen dataclass"][0]
        for kind, (define, two, five) in costs.items():
            table.rows.append([f"a value class of five fields defined, {kind}", f"{define * 1000:.2f} ms", "", "",
                               f"{define / dataclass_define:.2f} × dataclass; built: {two * 1e6:.2f} µs with two fields, "
                               f"{five * 1e6:.2f} µs with five", ""])

        print(f"Machine: {machine()}. Medians of {runs} runs ({start_runs} for cold start), each in a fresh process.\n")
        print(table.markdown())
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
