//! Dates as the bureau sees them. Every "today" in the system (figures in
//! force, documents' dates, later pay months and deadlines) is the date in
//! China Standard Time, UTC+8 all year (no daylight saving since 1991),
//! whatever time zone the server runs in: a server on UTC would otherwise
//! be a day behind between midnight and 08:00 in Beijing.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// China Standard Time, UTC+8.
pub fn china_standard_time() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The date in China at the instant `at`.
pub fn china_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&china_standard_time()).date_naive()
}

/// The UTC instant at which day `date` begins in China.
pub fn china_day_start_utc(date: NaiveDate) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN) - Duration::hours(8)
}

/// A UTC timestamp as the time in China, for display.
pub fn china_time(utc: NaiveDateTime) -> NaiveDateTime {
    utc + Duration::hours(8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_date_turns_at_midnight_beijing_time() {
        let utc = |h, m| Utc.with_ymd_and_hms(2026, 11, 22, h, m, 0).single().expect("valid instant");
        let date = |d| NaiveDate::from_ymd_opt(2026, 11, d).expect("valid date");
        assert_eq!(china_date(utc(15, 59)), date(22));
        assert_eq!(china_date(utc(16, 0)), date(23));
        assert_eq!(china_date(utc(23, 59)), date(23));
        assert_eq!(china_day_start_utc(date(23)), utc(16, 0).naive_utc());
        assert_eq!(china_time(utc(16, 0).naive_utc()), date(23).and_time(NaiveTime::MIN));
    }
}
