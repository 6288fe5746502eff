//! Roster spreadsheets for tests and benchmarks: the template's headers,
//! fictitious identity numbers with a valid checksum, and the upload.

use crate::Client;

/// The import template's headers, in its order.
pub const HEADERS: [&str; 11] = [
    "姓名",
    "身份证号码",
    "手机号码",
    "学历",
    "社会工作专业",
    "职业资格",
    "入职日期",
    "镇街",
    "岗位编号",
    "职务",
    "工作职责",
];

/// A valid fictitious identity number (Beijing Chaoyang), different for
/// every `k` below 9,000,000: born `k % 9000` days after 1970-01-01, with
/// sequence number `k / 9000`.
pub fn id_number(k: u32) -> String {
    let born =
        chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("date") + chrono::Days::new(u64::from(k % 9_000));
    let base = format!("110105{}{:03}", born.format("%Y%m%d"), k / 9_000);
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = base.bytes().zip(weights).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{base}{}", char::from(b"10X98765432"[(sum % 11) as usize]))
}

/// Uploads `bytes` as `name` to the roster import in `mode` (`all` or
/// `partial`), as the upload form does; returns the import's id from the
/// redirect to its report.
pub async fn upload(client: &Client, bytes: Vec<u8>, name: &str, mode: &str) -> i64 {
    use reqwest::multipart::{Form, Part};
    let form =
        Form::new().text("mode", mode.to_owned()).part("file", Part::bytes(bytes).file_name(name.to_owned()));
    let res = client.post_multipart("/files/roster-import", form).await;
    assert_eq!(res.status(), 303, "{:?}", res.text().await);
    let location = res.headers()["location"].to_str().expect("location").to_owned();
    location
        .strip_prefix("/roster-imports/")
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{location}"))
}
