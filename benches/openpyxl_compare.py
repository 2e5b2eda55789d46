#!/usr/bin/env python3
"""Reads the same filled 50-item check sheet with openpyxl and with Itaku's reader, in one run, and prints
both times and the ratio (the target is Itaku at least 20x faster).

    python3 benches/openpyxl_compare.py

The workbook is Itaku's own template, filled in by openpyxl the way a vendor's Excel saves it. openpyxl is
timed loading it and reading every cell (what any importer must do); Itaku is timed by criterion
(`check_sheet/read_and_validate_50_items`, which also validates every answer) on the same file.
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


def time_itaku(path):
    env = dict(os.environ, ITAKU_BENCH_SHEET=path)
    output = subprocess.run(
        ["cargo", "bench", "--bench", "itaku", "--", "check_sheet/read_and_validate_50_items"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    match = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", output)
    value, unit = float(match.group(1)), match.group(2)
    return value * {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


def main():
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "filled.xlsx")
        items = make_sheet(path)
        python, cells = time_openpyxl(path)
        rust = time_itaku(path)
        print(f"workbook: {items} answered items, {cells} non-empty cells, {os.path.getsize(path)} bytes")
        print(f"openpyxl {openpyxl.__version__} (Python {sys.version.split()[0]}): {python * 1e3:.2f} ms (median of 30)")
        print(f"itaku (criterion median):            {rust * 1e3:.3f} ms")
        print(f"ratio: {python / rust:.1f}x (target: at least 20x)")


if __name__ == "__main__":
    main()
