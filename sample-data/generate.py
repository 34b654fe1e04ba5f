#!/usr/bin/env python3
"""Generate the synthetic sample province (tỉnh Sông Hồng — GIẢ LẬP, fictional) for parindex.

Deterministic: the same arguments always give the same files. Needs openpyxl and pyarrow
(`pip install openpyxl pyarrow`). Used twice:
  * sample-data/ (committed): python3 sample-data/generate.py --out sample-data
  * bench/ (national scale):   python3 sample-data/generate.py --communes 3321 --departments 0 --out bench/data

Files written (year 2025), each in a format users really send:
  units.csv                       unit registry, UTF-8
  2025/chi-so-so.csv              departments' indicators: UTF-8 with BOM, ',' and decimal point ("90.17%")
  2025/chi-so-xa.csv              communes' indicators: Excel's plain CSV on Vietnamese Windows:
                                  Windows-1258, ';' separator, decimal comma ("95,5%")
  2025/tham-dinh.xlsx             appraisal points, sheet "Thẩm định", title rows above the header
  2025/dieu-tra-xhh.parquet       survey (SIPAS) results; a few communes were not surveyed
"""
import argparse
import csv
import io
import os
import random
import unicodedata

DEPARTMENTS = [
    ("sở", "Sở Nội vụ"), ("sở", "Sở Tư pháp"), ("sở", "Sở Tài chính"), ("sở", "Sở Công Thương"),
    ("sở", "Sở Nông nghiệp và Môi trường"), ("sở", "Sở Xây dựng"), ("sở", "Sở Khoa học và Công nghệ"),
    ("sở", "Sở Giáo dục và Đào tạo"), ("sở", "Sở Y tế"), ("sở", "Sở Văn hóa, Thể thao và Du lịch"),
    ("sở", "Sở Dân tộc và Tôn giáo"), ("sở", "Sở Ngoại vụ"), ("sở", "Thanh tra tỉnh"),
    ("sở", "Văn phòng UBND tỉnh"), ("sở", "Sở Giao thông vận tải"), ("sở", "Sở Lao động"),
    ("sở", "Sở Thông tin và Truyền thông"), ("ban", "Ban Quản lý các khu công nghiệp"),
    ("ban", "Ban Quản lý khu kinh tế"), ("ban", "Ban Quản lý dự án đầu tư xây dựng"),
]
SYLLABLES = ["An", "Bình", "Hòa", "Phú", "Thạnh", "Tân", "Long", "Hưng", "Đông", "Tây", "Nam", "Bắc",
             "Minh", "Quang", "Thuận", "Lộc", "Phước", "Vĩnh", "Trung", "Hải", "Sơn", "Thủy", "Hồng",
             "Yên", "Mỹ", "Gia", "Xuân", "Thịnh", "Lạc", "Đức", "Khánh", "Cẩm", "Ngọc", "Kim", "Hiệp"]

TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(s):
    """Windows-1258 keeps â ê ô ơ ư ă đ precomposed and writes tone marks as combining characters."""
    out = []
    for ch in s:
        d = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in d if c in TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def communes(n, rng):
    dk = min(13, max(1, round(n * 13 / 3321))) if n >= 20 else 0
    ph = round(n * 687 / 3321)
    xa = n - dk - ph
    out, used = [], set()
    for kind, count, prefix, word in (("đặc khu", dk, "DK", "Đặc khu"), ("phường", ph, "PH", "Phường"), ("xã", xa, "XA", "Xã")):
        for i in range(count):
            for _attempt in range(60):
                name = rng.choice(SYLLABLES) + " " + rng.choice(SYLLABLES)
                if len(set(name.split())) == 2 and (word, name) not in used:
                    break
            else:
                # Two-syllable names run out at national scale: number them, as real lists do.
                name = name + " " + str(i + 1)
            used.add((word, name))
            width = 4 if n > 999 else 3
            out.append((f"{prefix}{i + 1:0{width}d}", f"{word} {name}", kind, f"Cụm thi đua số {1 + i % 6}"))
    return out


def pct(rng, q, lo, hi=100.0):
    """A rate between lo and hi that rises with the unit's quality q (0..1)."""
    x = lo + (hi - lo) * min(1.0, max(0.0, q + rng.gauss(0, 0.08)))
    return round(x, 2)


def indicators(rng, q, dept):
    on_time = 100.0 if rng.random() < 0.3 else (pct(rng, q, 82, 99.9) if q < 0.5 else pct(rng, q, 94, 99.95))
    v = {
        "ke_hoach_dung_han": rng.random() < 0.7 + 0.3 * q,
        "ty_le_hoan_thanh_ke_hoach": pct(rng, q, 70),
        "so_bao_cao_dung_han": min(4, max(1, round(2 + 2 * q + rng.gauss(0, 0.6)))),
        "tuyen_truyen_cchc": rng.random() < 0.85 + 0.15 * q,
        "so_sang_kien": max(0, round(rng.gauss(1.5 * q + 0.3, 0.8))),
        "ty_le_nhiem_vu_hoan_thanh": pct(rng, q, 75),
        "ra_soat_van_ban": rng.random() < 0.92,
        "ty_le_xu_ly_van_ban": None if rng.random() < 0.7 else pct(rng, q, 60),
        "cong_khai_tthc": rng.random() < 0.95,
        "ty_le_niem_yet": pct(rng, q, 85),
        "on_time_rate": on_time,
        "ty_le_xin_loi": None if on_time >= 100 else pct(rng, q, 40),
        "digitised_rate": pct(rng, q, 45, 99),
        "so_phan_anh_chua_xu_ly": max(0, round(rng.gauss(1.5 * (1 - q), 1))),
        "online_payment_rate": pct(rng, q, 20, 90),
        "quy_che_lam_viec": rng.random() < 0.95,
        "thuc_hien_phan_cap": rng.random() < 0.55 + 0.45 * q,
        "dung_bien_che": rng.random() < 0.93,
        "vi_tri_viec_lam": rng.random() < 0.5 + 0.5 * q,
        "ty_le_cbcc_boi_duong": pct(rng, q, 60),
        "so_cbcc_bi_ky_luat": max(0, round(rng.gauss(0.8 * (1 - q), 0.7))),
        "van_hoa_cong_vu": rng.random() < 0.95,
        "ty_le_giai_ngan": pct(rng, q, 55),
        "quy_che_chi_tieu": rng.random() < 0.97,
        "so_sai_pham_tai_chinh": max(0, round(rng.gauss(0.5 * (1 - q), 0.6))),
        "ty_le_van_ban_dien_tu": pct(rng, q, 80),
        "ty_le_dung_thu_cong_vu": pct(rng, q, 60),
        "ty_le_chu_ky_so": pct(rng, q, 70),
        "muc_do_dvctt": "Toàn trình" if rng.random() < 0.45 + 0.5 * q else "Một phần",
        "online_rate": pct(rng, q, 25, 95),
        "iso_9001": rng.random() < 0.6 + 0.4 * q,
        "full_online_rate": pct(rng, q, 15, 75),
        "so_tin_bai": max(0, round(rng.gauss(12 + 20 * q, 6))),
        "sang_kien_cap_tinh": max(0, round(rng.gauss(q - 0.3, 0.7))),
        "khen_thuong_cchc": rng.random() < 0.2 * q,
        "khieu_nai_dong_nguoi": rng.random() < 0.03,
        "so_vi_pham_cong_khai": 1 if rng.random() < 0.05 else 0,
        "lanh_dao_bi_ky_luat": False,
    }
    if dept:
        v["ty_le_don_vi_duoc_kiem_tra"] = None if rng.random() < 0.25 else pct(rng, q, 50)
        v["theo_doi_thi_hanh"] = rng.random() < 0.9
    else:
        v["tu_kiem_tra"] = rng.random() < 0.6 + 0.4 * q
        v["so_cuoc_doi_thoai"] = max(0, round(rng.gauss(1 + q, 0.6)))
        v["ty_le_cc_dat_chuan"] = pct(rng, q, 75)
    return v


def appraisal(rng, q, dept):
    big = 4 if dept else 2  # 2.1 and 4.2 are worth 4 for departments, 2 for communes
    quarter = lambda mx: round(min(mx, max(0, mx * (0.55 + 0.45 * q) + rng.gauss(0, 0.12 * mx))) * 4) / 4
    return {
        "diem_van_ban_qppl": quarter(big),
        "diem_sap_xep_bo_may": quarter(big),
        "diem_danh_gia_cbcc": quarter(3 if dept else 2),
        "diem_du_toan": quarter(2),
        "diem_mo_hinh_moi": quarter(2) if rng.random() < 0.3 else 0,
    }


def survey(rng, q):
    return {k: pct(rng, q, 78, 99.5) for k in ("hai_long_tthc", "hai_long_cbcc", "hai_long_dvc")}


def fmt(v, dec_comma, percent_sign=False):
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        s = f"{v:.2f}".rstrip("0").rstrip(".")
        if dec_comma:
            s = s.replace(".", ",")
        return s + ("%" if percent_sign else "")
    return str(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--communes", type=int, default=120)
    ap.add_argument("--departments", type=int, default=20)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--no-xlsx", action="store_true", help="skip the workbook (faster at national scale)")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(os.path.join(a.out, "2025"), exist_ok=True)

    depts = [(("S" if t == "sở" else "B") + f"{i + 1:02d}", n, t, "Khối Kinh tế - Tổng hợp" if i % 2 == 0 else "Khối Văn hóa - Xã hội")
             for i, (t, n) in enumerate(DEPARTMENTS[: a.departments])]
    comms = communes(a.communes, rng)
    with open(os.path.join(a.out, "units.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["unit_code", "unit_name", "unit_type", "bloc"])
        w.writerows(depts + comms)

    rows = {}
    for code, _, t, _ in depts + comms:
        q = rng.betavariate(3, 1.6)
        if rng.random() < 0.05:
            q *= 0.45  # a few weak units
        dept = t in ("sở", "ban")
        rows[code] = (indicators(rng, q, dept), appraisal(rng, q, dept), survey(rng, q))

    xa_codes = [c[0] for c in comms if c[2] == "xã"]
    if len(xa_codes) >= 10:
        # A tie: two communes with identical figures everywhere.
        a_, b_ = xa_codes[3], xa_codes[7]
        rows[b_] = tuple(dict(d) for d in rows[a_])
        # One disqualified unit: a strong commune whose head was disciplined.
        best = max(xa_codes, key=lambda c: rows[c][0]["on_time_rate"] + rows[c][2]["hai_long_tthc"])
        rows[best][0]["lanh_dao_bi_ky_luat"] = True
        # One missing value, reported as a warning.
        rows[xa_codes[11]][0]["so_tin_bai"] = ""
    not_surveyed = set(xa_codes[20:24]) if len(xa_codes) > 30 else set()

    comm_cols = [k for k in rows[comms[0][0]][0]] if comms else []
    dept_cols = [k for k in rows[depts[0][0]][0]] if depts else []
    yes_words_vi = ("có", "không")
    percent_sign_cols = {"on_time_rate", "online_rate", "full_online_rate", "online_payment_rate", "digitised_rate"}

    def indicator_csv(units, cols, code_header, delimiter, na, yes_no, dec_comma):
        """One indicator table as text, written the way that office writes it."""
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
        w.writerow([code_header, "Tên đơn vị"] + cols)
        for code, name, _, _ in units:
            v = rows[code][0]
            cells = []
            for k in cols:
                x = v[k]
                if x is None:
                    cells.append(na)
                elif isinstance(x, bool):
                    cells.append(yes_no[0] if x else yes_no[1])
                else:
                    cells.append(fmt(x, dec_comma, k in percent_sign_cols))
            w.writerow([code, name] + cells)
        return buf.getvalue()

    if depts:
        text = indicator_csv(depts, dept_cols, "unit_code", ",", "N/A", ("1", "0"), False)
        with open(os.path.join(a.out, "2025", "chi-so-so.csv"), "w", encoding="utf-8-sig", newline="") as f:
            f.write(text)
    if comms:
        text = indicator_csv(comms, comm_cols, "Mã đơn vị", ";", "Không áp dụng", yes_words_vi, True)
        with open(os.path.join(a.out, "2025", "chi-so-xa.csv"), "wb") as f:
            f.write(to_cp1258(text))

    units = depts + comms
    if not a.no_xlsx:
        from openpyxl import Workbook
        from openpyxl.styles import Font
        wb = Workbook()
        ws = wb.active
        ws.title = "Thẩm định"
        ws["A1"] = "UBND TỈNH SÔNG HỒNG (GIẢ LẬP)"
        ws["A2"] = "BẢNG TỔNG HỢP ĐIỂM THẨM ĐỊNH CHỈ SỐ CCHC NĂM 2025"
        ws.merge_cells("A1:H1")
        ws.merge_cells("A2:H2")
        ws["A1"].font = Font(bold=True)
        ws["A2"].font = Font(bold=True, size=13)
        cols = ["diem_van_ban_qppl", "diem_sap_xep_bo_may", "diem_danh_gia_cbcc", "diem_du_toan", "diem_mo_hinh_moi"]
        ws.append([])
        ws.append(["STT", "Mã đơn vị", "Tên đơn vị"] + cols)
        for i, (code, name, _, _) in enumerate(units):
            ws.append([i + 1, code, name] + [rows[code][1][k] for k in cols])
        ws2 = wb.create_sheet("Ghi chú")
        ws2["A1"] = "Dữ liệu giả lập cho parindex — không phải số liệu thật."
        wb.save(os.path.join(a.out, "2025", "tham-dinh.xlsx"))

    import pyarrow as pa
    import pyarrow.parquet as pq
    surveyed = [u for u in units if u[0] not in not_surveyed]
    table = pa.table({
        "unit_code": [u[0] for u in surveyed],
        **{k: [rows[u[0]][2][k] for u in surveyed] for k in ("hai_long_tthc", "hai_long_cbcc", "hai_long_dvc")},
    })
    pq.write_table(table, os.path.join(a.out, "2025", "dieu-tra-xhh.parquet"))
    print(f"{len(depts)} departments, {len(comms)} communes written to {a.out}")


if __name__ == "__main__":
    main()
