//! Service records at scale, on the real server with SQLite and with
//! PostgreSQL:
//! - import: a 10,000-row .xlsx uploaded by a provider (reading, checking
//!   every row against its contracts and recipients, writing in one
//!   transaction, audit), ten times, to 100,000 records;
//! - export: the 100,000 records (plus the demo's) as .xlsx, as finance
//!   downloads them.
//!
//! Run with `make bench` (or `cargo run --release -p gouzhu-tests
//! --example bench_services` after `make build`); figures go to
//! BENCHMARKS.md.

use std::time::Instant;

use gouzhu_tests::{Backend, Client, Server};
use reqwest::multipart::{Form, Part};

const ROWS: usize = 10_000;
const BATCHES: usize = 10;

const HEADERS: [&str; 10] = [
    "合同编号",
    "服务对象身份证号",
    "服务内容",
    "服务日期",
    "开始时间",
    "时长（分钟）",
    "服务人员",
    "服务情况",
    "服务地点（纬度, 经度）",
    "外部编号",
];

fn workbook(contract: &str, people: &[String], days: &[String], batch: usize) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    for k in 0..ROWS {
        let r = k as u32 + 1;
        let n = batch * ROWS + k;
        let cells = [
            contract.to_owned(),
            people[n % people.len()].clone(),
            if n.is_multiple_of(5) { "入户调查" } else { "定期走访" }.to_owned(),
            days[n % days.len()].clone(),
            format!("{:02}:{:02}", 8 + n % 10, (n * 7) % 60),
            "30".to_owned(),
            format!("社工{:03}", n % 200),
            "批量导入的服务记录".to_owned(),
            String::new(),
            format!("B{batch}-{k}"),
        ];
        for (c, v) in cells.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r, c as u16, v).expect("cell");
            }
        }
    }
    book.save_to_buffer().expect("workbook")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!(
        "| backend | import 10,000 rows: first / median / last of {BATCHES} | export {} records | file |",
        ROWS * BATCHES
    );
    println!("|---|---:|---:|---:|");
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let server = Server::start(backend);
        let provider = Client::demo(&server, "provider").await;
        let finance = Client::demo(&server, "finance").await;
        let contract = server.db.query(
            "SELECT number FROM contracts WHERE town_id IS NULL AND template = 'social_work_services'",
        );
        let start: chrono::NaiveDate = server
            .db
            .query(
                "SELECT start_on FROM contracts WHERE town_id IS NULL AND template = 'social_work_services'",
            )
            .parse()
            .expect("start");
        let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
        let days: Vec<String> = (0..(today - start).num_days())
            .map(|d| (start + chrono::Duration::days(d)).to_string())
            .collect();
        // Everyone the bureau contract serves (every town but 滨江).
        let people: Vec<String> = server
            .db
            .query("SELECT r.id_number FROM recipients r JOIN households h ON h.id = r.household_id WHERE h.town_id <> (SELECT id FROM towns WHERE code = '001')")
            .lines()
            .map(str::to_owned)
            .collect();
        let mut times = Vec::new();
        let mut size = 0;
        for batch in 0..BATCHES {
            let bytes = workbook(&contract, &people, &days, batch);
            size = bytes.len();
            let form = Form::new().part("file", Part::bytes(bytes).file_name("records.xlsx"));
            let started = Instant::now();
            let res = provider.post_multipart("/files/service-records/import", form).await;
            times.push(started.elapsed().as_secs_f64());
            assert_eq!(res.status(), 303, "{:?}", res.text().await);
        }
        let count: usize = server.db.query("SELECT count(*) FROM service_records").parse().expect("count");
        assert!(count >= ROWS * BATCHES);
        let started = Instant::now();
        let res = finance.get("/files/service-records.xlsx").await;
        assert_eq!(res.status(), 200);
        let file = res.bytes().await.expect("body").len();
        let export = started.elapsed().as_secs_f64();
        eprintln!(
            "{} imports: {:?}",
            backend.name(),
            times.iter().map(|t| format!("{t:.2}")).collect::<Vec<_>>()
        );
        let mut sorted = times.clone();
        sorted.sort_by(f64::total_cmp);
        println!(
            "| {} | {:.2} s / {:.2} s / {:.2} s ({:.1} MB file) | {:.2} s ({count} records) | {:.1} MB |",
            backend.name(),
            times[0],
            sorted[BATCHES / 2],
            times[BATCHES - 1],
            size as f64 / 1e6,
            export,
            file as f64 / 1e6
        );
    }
}
