#!/usr/bin/env python3
"""Self-assessment data for the sample province (GIẢ LẬP / SYNTHETIC), deterministic.

Units claim more than the appraisal grants, as they do (one province: departments' mean 64,75
self-assessed vs 62,62 appraised): most units over-claim a few criteria, three units over-claim
heavily, and the appraisal team wrote a reason for most cuts but not all.

Input: the sample's own criterion-scores.csv (what the appraisal granted, as read), so run first
    parindex score sample-data/danh-gia-2025.toml --out out
then
    python3 sample-data/generate_self.py out/criterion-scores.csv

Writes (UTF-8 with BOM, `;`, decimal comma, columns headed by the criterion's name as units
write them):
    2025/tu-danh-gia-so.csv   departments' self-assessment
    2025/tu-danh-gia-xa.csv   communes' self-assessment (with a survey column, which score ignores)
    2025/ly-do-dieu-chinh.csv reasons for the appraisal's adjustments: unit, criterion, reason
"""

import csv
import random
import sys
from collections import OrderedDict, defaultdict
from pathlib import Path

HERE = Path(__file__).parent
HEAVY = {"S07", "XA031", "PH012"}
REASONS = [
    "Tài liệu kiểm chứng không thể hiện đủ số liệu đã báo cáo",
    "Số liệu không khớp với Hệ thống thông tin giải quyết TTHC của tỉnh",
    "Văn bản được ban hành sau thời hạn quy định",
    "Không cung cấp tài liệu kiểm chứng",
    "Tỷ lệ tính trên số hồ sơ đã giải quyết, không gồm hồ sơ quá hạn đang xử lý",
    "Kết quả tự chấm chưa trừ các trường hợp vi phạm đã được phát hiện",
    "Báo cáo gửi muộn so với thời hạn",
]
SURVEY_IN_SELF = "hai_long_tthc"


def number(raw):
    t = raw.strip().rstrip("%").replace(",", ".")
    try:
        return float(t)
    except ValueError:
        return None


def vi(x, percent):
    s = f"{x:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return s + ("%" if percent else "")


def main(scores_csv):
    rng = random.Random(2025)
    rows = list(csv.DictReader(open(scores_csv, encoding="utf-8-sig")))
    # Indicators read by more than one criterion are headed by their code.
    readers = defaultdict(set)
    for r in rows:
        readers[(r["unit_code"][:1], r["indicator"])].add(r["criterion_id"])
    # Yes/no indicators: every value a yes/no word or 0/1.
    words = defaultdict(set)
    for r in rows:
        words[r["indicator"]].add(r["value"].strip().lower())
    yes_no = {i for i, w in words.items() if w <= {"0", "1", "có", "không", "không áp dụng", "n/a", ""}}
    units = OrderedDict()
    for r in rows:
        units.setdefault(r["unit_code"], []).append(r)
    tables = {"so": (OrderedDict(), []), "xa": (OrderedDict(), [])}
    reasons = []
    for code, cells in units.items():
        kind = "so" if code.startswith(("S", "B")) else "xa"
        header, out = tables[kind]
        rate = 0.45 if code in HEAVY else 0.12
        own = {"Mã đơn vị": code}
        for r in cells:
            ind, raw = r["indicator"], r["value"]
            survey_leaf = r["criterion_id"].startswith("8.")
            if survey_leaf and ind != SURVEY_IN_SELF:
                continue
            caption = ind if len(readers[(code[:1], ind)]) > 1 else r["criterion_name"]
            header.setdefault(caption, None)
            value = raw
            x = number(raw)
            claim = rng.random() < rate and not survey_leaf and "not_applicable" not in r["flags"]
            if claim:
                points, top = float(r["points"]), float(r["max_points"])
                if ind in yes_no:
                    if raw.strip().lower() in ("không", "0") and r["part"] != "penalty":
                        value = "có" if raw.strip().lower() == "không" else "1"
                    else:
                        claim = False
                elif x is not None and raw.strip().endswith("%"):
                    value = vi(min(100.0, x + rng.choice([2, 3, 5, 8])), True)
                elif x is not None and r["part"] == "penalty":
                    value = vi(0, False)
                elif x is not None and abs(x - points) < 1e-9 and points < top:
                    value = vi(min(top, x + rng.choice([0.25, 0.5, 1.0])), False)
                else:
                    claim = False
                if claim and value != raw and rng.random() < 0.85:
                    reasons.append((code, r["criterion_id"], rng.choice(REASONS)))
            if value == raw and x is not None:
                value = vi(x, raw.strip().endswith("%"))
            own[caption] = value
        out.append(own)
    names = {"so": "tu-danh-gia-so.csv", "xa": "tu-danh-gia-xa.csv"}
    for kind, (header, out) in tables.items():
        cols = ["Mã đơn vị"] + list(header)
        with open(HERE / "2025" / names[kind], "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f, delimiter=";", lineterminator="\r\n")
            w.writerow(cols)
            for own in out:
                w.writerow([own.get(c, "") for c in cols])
    with open(HERE / "2025" / "ly-do-dieu-chinh.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\r\n")
        w.writerow(["Mã đơn vị", "Mã tiêu chí", "Lý do"])
        w.writerows(reasons)
    print(f"{sum(len(t[1]) for t in tables.values())} units, {len(reasons)} reasons")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/criterion-scores.csv")
