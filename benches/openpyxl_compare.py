#!/usr/bin/env python3
"""Reads the same filled 50-item check sheet with openpyxl and with Itaku's reader, in one run, and prints
both times and the ratio (the target is Itaku at least 20x faster).

    python3 benches/openpyxl_compare.py

The workbook is Itaku's own template, filled in by openpyxl the way a vendor's Excel saves it. openpyxl is
timed loading it and reading every cell (what any importer must do); Itaku is timed by criterion
(`check_sheet/read_and_validate_50_items`, which also validates every answer, in-process, and
`check_sheet/read_tables_in_sandbox`, the read as an upload takes it: in a warm parse worker) on the same
file. Then whole processes, as a script would run either: `python3` importing openpyxl and reading the file,
against `itaku checklist check FILE --json`, which starts its parse worker and reads the file in it.
"""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import openpyxl

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_sheet(path):
    template = os.path.join(os.path.dirname(path), "template.xlsx")
    subprocess.run(
        ["cargo", "run", "--release", "--quiet", "--", "checklist", "template", "--out", template,
         "--vendor-name", "ベンチ株式会社", "--corporate-number", "7000012050002"],
        cwd=ROOT, check=True)
    workbook = openpyxl.load_workbook(template)
    sheet = workbook[workbook.sheetnames[0]]
    answer_column = None
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == "回答":
                answer_column, header_row = cell.column, cell.row
        if answer_column:
            break
    filled = 0
    for row in range(header_row + 1, sheet.max_row + 1):
        if re.fullmatch(r"[A-Z]+-\d+", str(sheet.cell(row=row, column=1).value or "")):
            sheet.cell(row=row, column=answer_column).value = "一部" if row % 7 == 0 else "はい"
            filled += 1
    workbook.save(path)
    return filled


def time_openpyxl(path, runs=30):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        workbook = openpyxl.load_workbook(path, data_only=True)
        cells = 0
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells += sum(1 for value in row if value is not None)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), cells


def time_itaku(path, bench):
    env = dict(os.environ, ITAKU_BENCH_SHEET=path)
    output = subprocess.run(
        ["cargo", "bench", "--bench", "itaku", "--", f"check_sheet/{bench}$"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    match = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", output)
    value, unit = float(match.group(1)), match.group(2)
    return value * {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


def time_processes(commands, runs=40):
    """Median wall time of each command, run in turns so that both see the same machine."""
    samples = [[] for _ in commands]
    for _ in range(runs):
        for command, times in zip(commands, samples):
            start = time.perf_counter()
            subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return [statistics.median(times) for times in samples]


def main():
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "filled.xlsx")
        items = make_sheet(path)
        python, cells = time_openpyxl(path)
        rust = time_itaku(path, "read_and_validate_50_items")
        sandboxed = time_itaku(path, "read_tables_in_sandbox")
        print(f"workbook: {items} answered items, {cells} non-empty cells, {os.path.getsize(path)} bytes")
        print(f"openpyxl {openpyxl.__version__} (Python {sys.version.split()[0]}): {python * 1e3:.2f} ms (median of 30)")
        print(f"itaku in-process (criterion median): {rust * 1e3:.3f} ms, ratio {python / rust:.1f}x")
        print(f"itaku in a warm parse worker:         {sandboxed * 1e3:.3f} ms, ratio {python / sandboxed:.1f}x")
        read_all = ("import openpyxl,sys\nw=openpyxl.load_workbook(sys.argv[1],data_only=True)\n"
                    "sum(1 for s in w.worksheets for r in s.iter_rows(values_only=True) for v in r if v is not None)")
        python_process, itaku_process = time_processes([
            [sys.executable, "-c", read_all, path],
            [os.path.join(ROOT, "target", "release", "itaku"), "checklist", "check", path, "--json"],
        ])
        print(f"whole process: python3 + openpyxl {python_process * 1e3:.1f} ms, "
              f"itaku checklist check (with its parse worker) {itaku_process * 1e3:.1f} ms, "
              f"ratio {python_process / itaku_process:.1f}x (target: at least 20x)")


if __name__ == "__main__":
    main()
