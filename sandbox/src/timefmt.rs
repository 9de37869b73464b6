//! ISO 8601 timestamps without a date library: what the fixtures use and what filters take.
//! The day arithmetic is `calendar`'s.

use crate::calendar::{civil_from_days, days_from_civil, days_in_month};
use std::time::{SystemTime, UNIX_EPOCH};

/// Now as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_iso() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    format_iso(secs)
}

pub fn format_iso(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]` or whole Unix seconds into Unix
/// seconds. A bare date is its midnight UTC, or with `end_of_day` its last second.
pub fn parse_time(s: &str, end_of_day: bool) -> Option<i64> {
    let s = s.trim();
    if !s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if d < 1 || d > days_in_month(y, m) {
        return None;
    }
    let day_secs = days_from_civil(y, m, d) * 86_400;
    if b.len() == 10 {
        return Some(day_secs + if end_of_day { 86_399 } else { 0 });
    }
    if b[10] != b'T' && b[10] != b't' && b[10] != b' ' {
        return None;
    }
    let (hh, mm) = (num(11, 2)?, num(14, 2)?);
    if b.get(13) != Some(&b':') || hh > 23 || mm > 59 {
        return None;
    }
    let mut i = 16;
    let mut ss = 0;
    if b.get(i) == Some(&b':') {
        ss = num(17, 2)?;
        if ss > 60 {
            return None;
        }
        i = 19;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(|c| c.is_ascii_digit()) {
                i += 1;
            }
            if i == start {
                return None;
            }
        }
    }
    let offset = match s.get(i..)? {
        "" | "Z" | "z" => 0,
        tz if tz.len() == 6 && (tz.starts_with('+') || tz.starts_with('-')) => {
            let oh = num(i + 1, 2)?;
            let om = num(i + 4, 2)?;
            if b.get(i + 3) != Some(&b':') || oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if tz.starts_with('+') {
                o
            } else {
                -o
            }
        }
        _ => return None,
    };
    Some(day_secs + hh * 3600 + mm * 60 + ss - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for s in [
            "1970-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "2100-12-31T12:00:00Z",
        ] {
            let t = parse_time(s, false);
            assert_eq!(t.map(format_iso).as_deref(), Some(s));
        }
        assert_eq!(parse_time("2025-01-01", false), Some(1_735_689_600));
        assert_eq!(parse_time("2025-01-01", true), Some(1_735_689_600 + 86_399));
        assert_eq!(
            parse_time("2025-01-01T02:00:00.123+02:00", false),
            Some(1_735_689_600)
        );
        for bad in [
            "",
            "2025-13-01",
            "2025-02-30",
            "soon",
            "2025-01-01T25:00",
            "2025-01-01Tx",
        ] {
            assert_eq!(parse_time(bad, false), None, "{bad}");
        }
    }
}
