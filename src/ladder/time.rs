//! Calendar arithmetic on Unix milliseconds (UTC), without a clock.

use crate::store::rows::UnixMillis;

/// (year, month 1–12, day 1–31) of a UTC instant (Howard Hinnant's
/// `civil_from_days`).
pub fn civil(at: UnixMillis) -> (i64, u32, u32) {
    let days = at.div_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM`, the key of the monthly abort allowance.
pub fn month_of(at: UnixMillis) -> String {
    let (y, m, _) = civil(at);
    format!("{y:04}-{m:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(civil(0), (1970, 1, 1));
        // 2024-02-29T23:59:59.999Z and the next millisecond.
        assert_eq!(civil(1_709_251_199_999), (2024, 2, 29));
        assert_eq!(civil(1_709_251_200_000), (2024, 3, 1));
        assert_eq!(month_of(1_709_251_199_999), "2024-02");
        assert_eq!(month_of(1_709_251_200_000), "2024-03");
        assert_eq!(month_of(1_767_225_600_000), "2026-01");
    }
}
