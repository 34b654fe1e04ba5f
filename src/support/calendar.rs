//! The one calendar: dates as officials and dossier exports write them (a document's date in a run
//! file, a period on the command line, every date of millions of dossier records), parsed by hand
//! (faster than strptime and tolerant of the forms seen in real exports): ISO `2025-07-01`, with a time `2025-07-01 08:15[:00]` or
//! `2025-07-01T08:15:00+07:00`, and Vietnamese `1/7/2025`, `01/07/2025 08:15`, `1-7-2025`, `1.7.2025`.
//! A time of day is ignored: the definitions compare dates. The result is days since 1970-01-01.

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe as i32 - 719468
}

/// The civil date of a day number, for messages and output.
pub fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = (z - era * 146097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn format_days(z: i32) -> String {
    let (y, m, d) = civil_from_days(z);
    format!("{y:04}-{m:02}-{d:02}")
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

fn number(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 4 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |a, &c| a * 10 + u32::from(c - b'0')))
}

/// [`parse`] for bytes, with a fast path for the commonest form, exactly `yyyy-mm-dd`
/// (the same answer as `parse`, tested on every form).
pub fn parse_bytes(b: &[u8]) -> Option<i32> {
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let d = |i: usize| u32::from(b[i].wrapping_sub(b'0'));
        let (y0, y1, y2, y3, m0, m1, d0, d1) = (d(0), d(1), d(2), d(3), d(5), d(6), d(8), d(9));
        if (y0 | y1 | y2 | y3 | m0 | m1 | d0 | d1) < 10 {
            let y = (y0 * 1000 + y1 * 100 + y2 * 10 + y3) as i32;
            let (m, d) = (m0 * 10 + m1, d0 * 10 + d1);
            if !(1900..=2200).contains(&y)
                || !(1..=12).contains(&m)
                || d == 0
                || d > days_in_month(y, m)
            {
                return None;
            }
            return Some(month_start(y, m) + d as i32 - 1);
        }
    }
    parse(std::str::from_utf8(b).ok()?)
}

/// Day number of the first of a month, 1900–2200, from a table built once.
fn month_start(y: i32, m: u32) -> i32 {
    static TABLE: std::sync::OnceLock<Vec<i32>> = std::sync::OnceLock::new();
    let t = TABLE.get_or_init(|| {
        (1900..=2200)
            .flat_map(|y| (1..=12).map(move |m| days_from_civil(y, m, 1)))
            .collect()
    });
    t[(y - 1900) as usize * 12 + m as usize - 1]
}

/// Parse a date (a time part is allowed and ignored). `None` when it is not a valid date.
pub fn parse(s: &str) -> Option<i32> {
    let s = s.trim().as_bytes();
    // The date is everything before a space or a `T` that follows it.
    let end = s
        .iter()
        .position(|&c| c == b' ' || c == b'T')
        .unwrap_or(s.len());
    let (date, rest) = s.split_at(end);
    if !rest.is_empty() && !valid_time(&rest[1..]) {
        return None;
    }
    let sep = *date.iter().find(|c| !c.is_ascii_digit())?;
    if !matches!(sep, b'-' | b'/' | b'.') {
        return None;
    }
    let mut parts = date.split(|&c| c == sep);
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (y, m, d) = if a.len() == 4 {
        (number(a)?, number(b)?, number(c)?)
    } else if c.len() == 4 && a.len() <= 2 && b.len() <= 2 {
        (number(c)?, number(b)?, number(a)?)
    } else {
        return None;
    };
    let y = y as i32;
    if !(1900..=2200).contains(&y) || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// `08:15`, `08:15:00`, `08:15:00.123`, with an optional `Z` or `+07:00`.
fn valid_time(t: &[u8]) -> bool {
    let t = t.strip_suffix(b"Z").unwrap_or(t);
    let t = match t.iter().rposition(|&c| c == b'+' || c == b'-') {
        Some(i) if i >= 5 => &t[..i],
        _ => t,
    };
    let t = match t.iter().position(|&c| c == b'.') {
        Some(i) => &t[..i],
        None => t,
    };
    let mut n = 0;
    for (i, p) in t.split(|&c| c == b':').enumerate() {
        let limit = if i == 0 { 23 } else { 59 };
        match number(p) {
            Some(v) if p.len() <= 2 && v <= limit => n += 1,
            _ => return false,
        }
    }
    (2..=3).contains(&n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_agrees_with_parse() {
        for s in [
            "2025-07-01",
            "2025-02-29",
            "2024-02-29",
            "2025-13-01",
            "2025-00-10",
            "1899-12-31",
            "2201-01-01",
            "2025-1-01",
            "2025/07/01",
            "20a5-07-01",
            "2025-07-32",
            "2025-07-00",
            "1/7/2025",
            "2025-07-01 08:15",
            " 2025-07-01",
            "",
        ] {
            assert_eq!(parse_bytes(s.as_bytes()), parse(s), "{s}");
        }
    }

    #[test]
    fn civil_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2025, 7, 1), 20270);
        for z in [-1000, 0, 20000, 20270, 40000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(format_days(20270), "2025-07-01");
    }

    #[test]
    fn accepted_forms() {
        let d = days_from_civil(2025, 7, 1);
        for s in [
            "2025-07-01",
            "2025-7-1",
            "2025-07-01 08:15",
            "2025-07-01 08:15:00",
            "2025-07-01T08:15:00",
            "2025-07-01T08:15:00.250+07:00",
            "2025-07-01T08:15:00Z",
            "1/7/2025",
            "01/07/2025",
            "1/7/2025 16:30",
            "01-07-2025",
            "1.7.2025",
            " 1/7/2025 ",
        ] {
            assert_eq!(parse(s), Some(d), "{s}");
        }
    }

    #[test]
    fn rejected_forms() {
        for s in [
            "",
            "31/02/2025",
            "2025-13-01",
            "0/7/2025",
            "1/7/25",
            "2025/07",
            "hôm qua",
            "1/7/2025 25:00",
            "1/7/2025 x",
            "2025-07-01T",
            "29/02/2025",
        ] {
            assert_eq!(parse(s), None, "{s}");
        }
        assert_eq!(parse("29/02/2024"), Some(days_from_civil(2024, 2, 29)));
    }
}
