//! Where a printed sheet's pages will break, estimated, so that a signature never prints alone.
//! A spreadsheet has no "keep with next": LibreOffice and Excel break a sheet printed one page wide
//! wherever the next row no longer fits. The sheets here set every row's height, so the breaks
//! follow from one unknown, the printed scale, which fitting to the page's width makes
//! proportional to the print area's width. The estimate is run at the low and the high end of its
//! error; unless both say the signature stays with the table's last rows, a manual break is put
//! before the last few rows, which then print with the signature.

/// Sheet points of row height that a landscape A4 page (the sheets' margins) holds per character
/// of print-area width (the widths as set), measured on LibreOffice's output: the sample's
/// communes' ranking, 160 characters wide, prints 618 points of rows on a page and not 633.
const POINTS_PER_WIDTH: f64 = 3.91;
/// How far the estimate may be off either way: the row heights are set, the fonts are
/// metric-compatible, so what is left is the calibration above (±1.3%).
const ERROR: f64 = 0.015;
/// Table rows that go to the signature's page when it might otherwise print alone.
const KEEP: usize = 3;

/// A sheet's printed flow: the rows before the table (title block and header), the table's
/// rows, the block that must stay with the table's end (legend, signature), all in points, and
/// the header repeated on every page.
pub(super) struct Flow<'a> {
    pub width: f64,
    pub before: f64,
    pub header: f64,
    pub rows: &'a [f64],
    pub after: f64,
}

impl Flow<'_> {
    /// The table row (0-based) before which a manual page break keeps the last rows with the
    /// block after the table, or `None` if that block stays with them anyway.
    pub(super) fn keep_together(&self) -> Option<usize> {
        let n = self.rows.len();
        if n <= KEEP {
            return None;
        }
        let capacity = POINTS_PER_WIDTH * self.width;
        let at_risk = [1.0 - ERROR, 1.0 + ERROR]
            .iter()
            .any(|f| !self.after_fits(capacity * f));
        at_risk.then_some(n - KEEP)
    }

    /// Whether, on pages holding `capacity` points, the block after the table prints on the
    /// page of the table's last row.
    fn after_fits(&self, capacity: f64) -> bool {
        let mut used = self.before;
        for &h in self.rows {
            if used + h > capacity {
                used = self.header;
            }
            used += h;
        }
        used + self.after <= capacity
    }
}

#[cfg(test)]
mod tests {
    use super::Flow;

    #[test]
    fn a_signature_that_would_print_alone_takes_the_last_rows_with_it() {
        let rows = vec![15.0; 25];
        // The sample's wards: 549 points of title and table, a 165-point legend and signature,
        // pages of about 641: the signature would print alone; the last three rows go with it.
        let wards = Flow {
            width: 164.0,
            before: 174.0,
            header: 48.0,
            rows: &rows,
            after: 165.0,
        };
        assert_eq!(wards.keep_together(), Some(22));
        // A short table far from the page's end keeps its signature.
        let short = Flow {
            rows: &rows[..10],
            ..wards
        };
        assert_eq!(short.keep_together(), None);
        // The sample's departments: 684 of about 696 points, inside the estimate's error.
        let rows20 = vec![15.0; 20];
        let mut heights = rows20.clone();
        heights[0] = 45.0;
        let departments = Flow {
            width: 178.0,
            rows: &heights,
            ..wards
        };
        assert_eq!(departments.keep_together(), None);
        // Three rows or fewer: nothing to move.
        let tiny = Flow {
            rows: &rows[..3],
            before: 600.0,
            ..short
        };
        assert_eq!(tiny.keep_together(), None);
    }
}
