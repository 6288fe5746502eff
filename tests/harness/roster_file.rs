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

/// A roster workbook hiring people `ids` (their identity numbers are
/// [`id_number`]`(k)`) on standby in `towns` in turn; with `bad_last_row`
/// the last row's identity number fails its checksum.
pub fn workbook(towns: &[String], ids: std::ops::Range<u32>, bad_last_row: bool) -> Vec<u8> {
    let educations = ["大专", "本科", "硕士研究生"];
    let certificates = ["无", "助理社会工作师", "社会工作师"];
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    let last = ids.end.saturating_sub(1);
    for (r, k) in ids.enumerate() {
        let r = u32::try_from(r).expect("row") + 1;
        let id = if bad_last_row && k == last { "110105197001010000".to_owned() } else { id_number(k) };
        let cells = [
            format!("测试{k}"),
            id,
            format!("139{:08}", k),
            educations[(k % 3) as usize].to_owned(),
            if k % 4 == 0 { "是" } else { "否" }.to_owned(),
            certificates[(k % 3) as usize].to_owned(),
            format!("20{:02}-{:02}-{:02}", 15 + k % 10, 1 + k % 12, 1 + k % 28),
            towns[(k as usize) % towns.len()].clone(),
            String::new(),
            "专职低保员".to_owned(),
            "入户调查".to_owned(),
        ];
        for (c, v) in cells.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r, c as u16, v).expect("cell");
            }
        }
    }
    book.save_to_buffer().expect("workbook")
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
