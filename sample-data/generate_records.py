#!/usr/bin/env python3
"""A small dossier-record export for the sample province (GIẢ LẬP / SYNTHETIC), deterministic.

One row per hồ sơ received in 2025 by the sample's 140 units, as a one-stop-shop system exports
it: Vietnamese headers, `;`, dates dd/mm/yyyy, Có/Không, the vendor's words for channels — read
with the mapping file `ban-do-ho-so.toml`. A few duplicates and a bad date are built in, as real
exports have them.

    python3 sample-data/generate_records.py
    parindex derive sample-data/2025/ho-so-2025.csv --period 2025 --map sample-data/ban-do-ho-so.toml \\
        --units sample-data/units.csv --out out/chi-so-ho-so.csv
"""

import csv
import datetime as dt
import random
from pathlib import Path

HERE = Path(__file__).parent
RNG = random.Random(2026)


def main():
    units = [u["unit_code"] for u in csv.DictReader(open(HERE / "units.csv", encoding="utf-8"))]
    rows = []
    n = 0
    for code in units:
        quality = RNG.uniform(0.75, 0.99)
        for _ in range(RNG.randint(20, 45)):
            n += 1
            received = dt.date(2025, 1, 1) + dt.timedelta(days=RNG.randint(0, 364))
            due = received + dt.timedelta(days=RNG.choice([3, 5, 7, 10, 15]))
            if RNG.random() < 0.93:
                late = RNG.random() > quality
                finished = due + dt.timedelta(days=RNG.randint(1, 6)) if late else received + dt.timedelta(days=RNG.randint(0, (due - received).days))
                finished_s = finished.strftime("%d/%m/%Y")
            else:
                finished_s = ""  # still open
            online = RNG.random() < 0.7
            rows.append([
                f"000.00.{code}.{n:06d}",
                code,
                f"1.{RNG.randint(100, 999)}",
                "Nộp trực tuyến" if online else RNG.choice(["Nộp trực tiếp", "Qua bưu điện"]),
                ("DVC toàn trình" if RNG.random() < 0.5 else "DVC một phần") if online else "",
                received.strftime("%d/%m/%Y"),
                due.strftime("%d/%m/%Y"),
                finished_s,
                "Có" if online and RNG.random() < 0.6 else "Không",
                "Có" if RNG.random() < quality else "Không",
            ])
    # As real exports: two records exported twice, one impossible date.
    rows.insert(10, list(rows[3]))
    rows.insert(500, list(rows[400]))
    rows[777][5] = "31/02/2025"
    with open(HERE / "2025" / "ho-so-2025.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\r\n")
        w.writerow(["Mã hồ sơ", "Mã đơn vị", "Mã TTHC", "Hình thức nộp", "Mức độ DVC", "Ngày tiếp nhận",
                    "Ngày hẹn trả", "Ngày trả kết quả", "Thanh toán trực tuyến", "Đã số hóa"])
        w.writerows(rows)
    print(f"{len(rows)} records")


if __name__ == "__main__":
    main()
