#!/usr/bin/env python3
"""The 2024 year of the sample province (GIẢ LẬP / SYNTHETIC), before the July 2025 merger.

About 300 old communes (xã, phường, thị trấn) become the 120 commune-level units of 2025 through
whole and partial merges; the departments stay, one of them renamed. Deterministic (seed 2024).

Writes:
    2024/units-2024.csv       the 2024 registry (old units)
    2024/chi-so-so-2024.csv   departments' 2024 indicators (criteria/so-2024.toml)
    2024/chi-so-xa-2024.csv   old communes' 2024 indicators (criteria/xa-2024.toml)
    ke-thua-2025.csv          the lineage old → new in the statistics office's shape (new code,
                              new name, old code, old name, note, old district, old province)

Then score 2024 with parindex (its results are last year's results for the 2025 run):
    parindex score sample-data/danh-gia-2024.toml
"""

import csv
import random
import tomllib
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
RNG = random.Random(2024)

SYLLABLES = ["An", "Bình", "Cẩm", "Đông", "Hòa", "Hưng", "Khánh", "Lạc", "Long", "Minh", "Mỹ",
             "Nghĩa", "Phú", "Phúc", "Quang", "Tân", "Thạnh", "Thịnh", "Thủy", "Trung", "Vĩnh",
             "Xuân", "Yên", "Hải", "Sơn", "Lộc", "Đức", "Tiến", "Thuận", "Hiệp"]
DISTRICTS = ["Huyện Bắc Sơn", "Huyện Nam Hà", "Huyện Đông Giang", "Huyện Tây Nguyên",
             "Thành phố Sông Hồng", "Thị xã Hồng Lĩnh", "Huyện đảo Bạch Long"]

# Special cases the comparison must handle.
UNCHANGED = {"XA090", "XA091", "XA092"}     # kept as they were (direct comparison)
BECAME_WARD = "PH003"                       # a commune that became a ward, code unchanged
REUSED = {"XA013", "XA040", "PH010"}        # new units that reuse one predecessor's code
RENAMED = {"S16": "Sở Lao động - Thương binh và Xã hội"}


def old_name(kind):
    a, b = RNG.sample(SYLLABLES, 2)
    return f"{ {'xã': 'Xã', 'phường': 'Phường', 'thị trấn': 'Thị trấn'}[kind] } {a} {b}".replace("{ ", "").replace(" }", "")


def main():
    new_units = list(csv.DictReader(open(HERE / "units.csv", encoding="utf-8")))
    links = []          # (new_code, new_name, old_code, old_name, note, district)
    old_units = []      # (code, name, type, bloc)
    seq = [0]

    def fresh(kind):
        seq[0] += 1
        code = f"C{seq[0]:03d}"
        old_units.append((code, old_name(kind), kind, ""))
        return code

    communes = [u for u in new_units if u["unit_type"] not in ("sở", "ban")]
    pending_split = []   # old units split across two new units: (code, name, district)
    for u in communes:
        district = RNG.choice(DISTRICTS[:-1]) if u["unit_type"] != "đặc khu" else DISTRICTS[-1]
        code = u["unit_code"]
        if code in UNCHANGED or code == BECAME_WARD:
            kind = "xã"
            # The ward was a commune of the same name.
            name = u["unit_name"].replace("Phường ", "Xã ", 1)
            old_units.append((code, name, kind, ""))
            links.append((code, u["unit_name"], code, name, "Giữ nguyên", district))
            continue
        preds = []
        if code in REUSED:
            kind = "thị trấn" if code.startswith("XA") else "phường"
            old_units.append((code, old_name(kind), kind, ""))
            preds.append((code, "Nhập toàn bộ"))
        n = RNG.choice([1, 2, 2, 2, 3]) if u["unit_type"] != "đặc khu" else 3
        for _ in range(n):
            kind = "phường" if u["unit_type"] == "phường" and RNG.random() < 0.6 else RNG.choice(["xã", "xã", "thị trấn"])
            preds.append((fresh(kind), "Nhập toàn bộ"))
        # About one unit in ten takes part of an old unit split between two new units.
        if pending_split and RNG.random() < 0.5:
            preds.append((pending_split.pop(), "Nhập một phần"))
        elif RNG.random() < 0.12:
            c = fresh("xã")
            preds.append((c, "Nhập một phần"))
            pending_split.append(c)
        names = {c: n for c, n, _, _ in old_units}
        for c, note in preds:
            links.append((code, u["unit_name"], c, names[c], note, district))
    # Any split left with one side only: give its other part to the last commune.
    last = communes[-2]
    for c in pending_split:
        names = {c2: n for c2, n, _, _ in old_units}
        links.append((last["unit_code"], last["unit_name"], c, names[c], "Nhập một phần", DISTRICTS[0]))

    departments = [u for u in new_units if u["unit_type"] in ("sở", "ban")]
    for u in departments:
        name = RENAMED.get(u["unit_code"], u["unit_name"])
        old_units.append((u["unit_code"], name, u["unit_type"], u["bloc"]))
        note = "Đổi tên" if u["unit_code"] in RENAMED else "Giữ nguyên"
        links.append((u["unit_code"], u["unit_name"], u["unit_code"], name, note, ""))

    (HERE / "2024").mkdir(exist_ok=True)
    with open(HERE / "2024" / "units-2024.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["unit_code", "unit_name", "unit_type", "bloc"])
        w.writerows(sorted(old_units, key=lambda r: (r[2] in ("sở", "ban"), r[0])))
    with open(HERE / "ke-thua-2025.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\r\n")
        w.writerow(["Mã xã mới", "Tên xã mới", "Mã xã cũ", "Tên xã cũ", "Ghi chú", "Huyện cũ", "Tỉnh cũ"])
        for new, new_name, old, oname, note, district in links:
            w.writerow([new, new_name, old, oname, note, district, "Tỉnh Sông Hồng"])

    for kind, crit, units in [
        ("so", "so-2024.toml", [u for u in old_units if u[2] in ("sở", "ban")]),
        ("xa", "xa-2024.toml", [u for u in old_units if u[2] not in ("sở", "ban")]),
    ]:
        write_data(kind, tomllib.load(open(ROOT / "criteria" / crit, "rb")), units)
    print(f"{len(old_units)} units in 2024, {len(links)} lineage rows")


def value(rule, top, q, survey):
    kind = rule["kind"]
    pct = lambda lo=40: f"{max(lo, min(100.0, RNG.gauss(100 * q, 7))):.2f}".replace(".", ",")
    if survey:
        return pct(55)
    if kind == "yes_no":
        return "có" if RNG.random() < q else "không"
    if kind == "category":
        words = list(rule["categories"])
        return words[0] if RNG.random() < q else RNG.choice(words[1:])
    if kind == "appraised":
        return f"{round(top * max(0.3, min(1.0, RNG.gauss(q, 0.1))) * 4) / 4:g}".replace(".", ",")
    if kind == "deduction":
        return str(max(0, int(RNG.gauss((1 - q) * 4, 1))))
    if kind == "per_occurrence":
        return str(max(0, int(RNG.gauss(q * 3, 1))))
    if kind == "bands":
        return str(max(0, int(RNG.gauss(q * 30, 6))))
    return pct()


def write_data(kind, crit, units):
    columns = []
    rules = {}
    def walk_rule(r, top, survey):
        if r["indicator"] not in rules:
            columns.append(r["indicator"])
            rules[r["indicator"]] = (r, top, survey)
    survey_ids = set()
    for c in crit["criterion"]:
        if c.get("survey"):
            survey_ids.add(c["id"])
        if "rule" in c:
            survey = any(c["id"] == s or c["id"].startswith(s + ".") for s in survey_ids)
            walk_rule(c["rule"], c["max"], survey)
    for sec in ("bonus", "penalty"):
        for it in crit.get(sec, {}).get("item", []):
            walk_rule(it["rule"], it["max"], False)
    for d in crit.get("disqualify", []):
        if d["indicator"] not in rules:
            columns.append(d["indicator"])
            rules[d["indicator"]] = ({"kind": "disqualify"}, 0, False)
    with open(HERE / "2024" / f"chi-so-{kind}-2024.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\r\n")
        w.writerow(["Mã đơn vị"] + columns)
        for code, _, _, _ in units:
            q = max(0.45, min(0.99, RNG.gauss(0.84, 0.08)))
            row = [code]
            for ind in columns:
                r, top, survey = rules[ind]
                if r["kind"] == "disqualify":
                    row.append("có" if RNG.random() < 0.01 else "không")
                elif ind in ("khieu_nai_dong_nguoi", "so_vi_pham_cong_khai") or r["kind"] == "yes_no" and "vi_pham" in ind:
                    row.append("0" if r["kind"] != "yes_no" else "không")
                else:
                    row.append(value(r, top, q, survey))
            w.writerow(row)


if __name__ == "__main__":
    main()
