//! Descriptive statistics on plain slices, as a spreadsheet computes them: the mean, the sample
//! variance and covariance (n − 1), Pearson's correlation and Cronbach's alpha. `None` where the
//! figure is undefined (too few values, no spread) — never a NaN in a document. Sums are
//! accumulated in input order, so the same values give the same bits.

/// The arithmetic mean; `None` for no values.
pub fn mean(x: &[f64]) -> Option<f64> {
    (!x.is_empty()).then(|| x.iter().sum::<f64>() / x.len() as f64)
}

/// The sample covariance (divided by n − 1); `None` below two pairs.
pub fn covariance(x: &[f64], y: &[f64]) -> Option<f64> {
    debug_assert_eq!(x.len(), y.len());
    if x.len() < 2 {
        return None;
    }
    let (mx, my) = (mean(x)?, mean(y)?);
    let s: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    Some(s / (x.len() - 1) as f64)
}

/// The sample variance (n − 1); `None` below two values.
pub fn variance(x: &[f64]) -> Option<f64> {
    covariance(x, x)
}

/// The sample standard deviation (n − 1), as STDEV.S.
pub fn sd(x: &[f64]) -> Option<f64> {
    variance(x).map(f64::sqrt)
}

/// Pearson's correlation, as CORREL; `None` below three pairs or when either side is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() < 3 {
        return None;
    }
    let (vx, vy) = (variance(x)?, variance(y)?);
    // A constant column (all at full points) has no correlation; float noise is not spread.
    if vx <= 1e-12 || vy <= 1e-12 {
        return None;
    }
    Some((covariance(x, y)? / (vx * vy).sqrt()).clamp(-1.0, 1.0))
}

/// Cronbach's alpha of `items` (each the same units' values): k / (k − 1) · (1 − Σ var(item) /
/// var(Σ items)); `None` below two items or two units, or when the sum does not vary.
pub fn cronbach_alpha(items: &[&[f64]]) -> Option<f64> {
    let k = items.len();
    let n = items.first()?.len();
    if k < 2 || n < 2 {
        return None;
    }
    let sum: Vec<f64> = (0..n).map(|u| items.iter().map(|i| i[u]).sum()).collect();
    let total = variance(&sum)?;
    if total <= 1e-12 {
        return None;
    }
    let parts: f64 = items.iter().map(|i| variance(i).unwrap_or(0.0)).sum();
    Some(k as f64 / (k - 1) as f64 * (1.0 - parts / total))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Figures a spreadsheet gives for the same columns (STDEV.S, COVARIANCE.S, CORREL; checked
    /// with Python's statistics module).
    #[test]
    fn as_a_spreadsheet_computes_them() {
        let x = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let y = [1.0, 3.0, 2.0, 5.0, 4.0, 6.0, 8.0, 9.0];
        assert_eq!(mean(&x), Some(5.0));
        assert!((sd(&x).unwrap() - 2.138_089_935_299_395).abs() < 1e-12);
        assert!((covariance(&x, &y).unwrap() - 5.571_428_571_428_571).abs() < 1e-12);
        assert!((pearson(&x, &y).unwrap() - 0.925_429_045_858_686_6).abs() < 1e-12);
        assert_eq!(pearson(&x, &[1.0; 8]), None);
        assert_eq!(sd(&[3.0]), None);
        // Two items that always agree: alpha 1; two independent-looking ones: lower.
        let a = [1.0, 2.0, 3.0, 4.0];
        assert!((cronbach_alpha(&[&a, &a]).unwrap() - 1.0).abs() < 1e-12);
        let b = [2.0, 1.0, 4.0, 3.0];
        assert!((cronbach_alpha(&[&a, &b]).unwrap() - 0.75).abs() < 1e-12);
        assert_eq!(cronbach_alpha(&[&a]), None);
    }
}
