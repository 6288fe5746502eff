//! The service-record spreadsheet a provider fills in and uploads: its
//! columns, and how each row becomes a record. Every problem names its
//! row (as the spreadsheet numbers it) and column; an import with any
//! problem stores nothing.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use super::procurement::CATALOGUE;
use super::roster_import::Cell;
use super::service::{Location, MINUTES_PER_DAY, RecordField, RecordProblem, measure_of};

/// The most data rows one file may hold.
pub const MAX_ROWS: usize = 20_000;

/// A column of the spreadsheet, in order (A to J).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Column {
    Contract,
    IdNumber,
    Service,
    Date,
    Time,
    Minutes,
    Worker,
    Notes,
    Location,
    ExternalId,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Contract,
        Column::IdNumber,
        Column::Service,
        Column::Date,
        Column::Time,
        Column::Minutes,
        Column::Worker,
        Column::Notes,
        Column::Location,
        Column::ExternalId,
    ];

    /// The spreadsheet letter.
    pub fn letter(self) -> char {
        char::from(b'A' + self as u8)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Column::Contract => "合同编号",
            Column::IdNumber => "服务对象身份证号",
            Column::Service => "服务内容",
            Column::Date => "服务日期",
            Column::Time => "开始时间",
            Column::Minutes => "时长（分钟）",
            Column::Worker => "服务人员",
            Column::Notes => "服务情况",
            Column::Location => "服务地点（纬度, 经度）",
            Column::ExternalId => "外部编号",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Column::Contract => "Contract number",
            Column::IdNumber => "Recipient ID number",
            Column::Service => "Service",
            Column::Date => "Date",
            Column::Time => "Start time",
            Column::Minutes => "Minutes",
            Column::Worker => "Worker",
            Column::Notes => "Notes",
            Column::Location => "Place (latitude, longitude)",
            Column::ExternalId => "External id",
        }
    }

    /// The column a record field is read from.
    pub fn of_field(f: RecordField) -> Column {
        match f {
            RecordField::Contract => Column::Contract,
            RecordField::Recipient => Column::IdNumber,
            RecordField::Service => Column::Service,
            RecordField::StartedAt => Column::Date,
            RecordField::Minutes => Column::Minutes,
            RecordField::Worker => Column::Worker,
            RecordField::Notes => Column::Notes,
            RecordField::Location => Column::Location,
            RecordField::ExternalId => Column::ExternalId,
        }
    }
}

/// What is wrong with the file as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileProblem {
    /// The header row is not the template's (the first column that differs).
    Header(Column),
    /// No data rows.
    Empty,
    /// More than [`MAX_ROWS`] data rows.
    TooManyRows,
}

/// One problem at a cell: the spreadsheet row (from 1), the column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellProblem {
    pub row: usize,
    pub column: Column,
    pub problem: RecordProblem,
}

/// A row as read, before the contract and the recipient are looked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// The spreadsheet row (from 1).
    pub row: usize,
    pub contract_number: String,
    pub id_number: Option<String>,
    pub service_code: String,
    pub started_at: NaiveDateTime,
    pub minutes: u32,
    pub worker: String,
    pub notes: String,
    pub location: Option<Location>,
    pub external_id: Option<String>,
}

fn text(c: Option<&Cell>) -> String {
    match c {
        None | Some(Cell::Empty) => String::new(),
        Some(c) => c.display().trim().to_owned(),
    }
}

/// A catalogue item by its Chinese or English name or its code.
pub fn service_code(name: &str) -> Option<&'static str> {
    let n = name.trim();
    CATALOGUE
        .iter()
        .find(|i| i.code == n || i.zh == n || i.en.eq_ignore_ascii_case(n))
        .filter(|i| measure_of(i.code).is_some())
        .map(|i| i.code)
}

fn date(c: Option<&Cell>) -> Option<NaiveDate> {
    match c {
        Some(Cell::Date(d)) => Some(*d),
        Some(Cell::Number(n)) => super::roster_import::date_from_number(*n),
        Some(Cell::Text(t)) => {
            let t = t.trim();
            ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
        }
        _ => None,
    }
}

fn time(c: Option<&Cell>) -> Option<NaiveTime> {
    match c {
        // A time cell is a fraction of a day.
        Some(Cell::Number(n)) if (0.0..1.0).contains(n) => {
            let minutes = (n * 1440.0).round() as u32;
            NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0)
        }
        Some(Cell::Text(t)) => {
            let t = t.trim().replace('：', ":");
            ["%H:%M", "%H:%M:%S", "%H点%M分"].iter().find_map(|f| NaiveTime::parse_from_str(&t, f).ok())
        }
        _ => None,
    }
}

fn whole(c: Option<&Cell>) -> Option<u32> {
    match c {
        Some(Cell::Number(n)) if n.fract() == 0.0 && *n >= 0.0 && *n <= f64::from(u32::MAX) => {
            Some(*n as u32)
        }
        Some(Cell::Text(t)) => t.trim().parse().ok(),
        _ => None,
    }
}

/// Reads the rows of the first sheet (row 1 the header): the rows that
/// read well, and the problems of those that do not. Blank rows are
/// skipped.
pub fn parse(rows: &[Vec<Cell>]) -> Result<(Vec<Row>, Vec<CellProblem>), FileProblem> {
    let header = rows.first().ok_or(FileProblem::Empty)?;
    for col in Column::ALL {
        let h = text(header.get(col as usize));
        let required = !matches!(col, Column::ExternalId);
        if (required || !h.is_empty()) && h != col.zh() && !h.eq_ignore_ascii_case(col.en()) {
            return Err(FileProblem::Header(col));
        }
    }
    let data: Vec<(usize, &Vec<Cell>)> = rows
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, r)| r.iter().any(|c| !text(Some(c)).is_empty()))
        .map(|(i, r)| (i + 1, r))
        .collect();
    if data.is_empty() {
        return Err(FileProblem::Empty);
    }
    if data.len() > MAX_ROWS {
        return Err(FileProblem::TooManyRows);
    }
    let mut out = Vec::with_capacity(data.len());
    let mut problems = Vec::new();
    for (row, cells) in data {
        let cell = |c: Column| cells.get(c as usize);
        let mut bad =
            |column: Column, problem: RecordProblem| problems.push(CellProblem { row, column, problem });
        let contract_number = text(cell(Column::Contract));
        if contract_number.is_empty() {
            bad(Column::Contract, RecordProblem::Required);
        }
        let id_number = Some(text(cell(Column::IdNumber)).to_ascii_uppercase()).filter(|s| !s.is_empty());
        let service = text(cell(Column::Service));
        let code = service_code(&service);
        if code.is_none() {
            bad(
                Column::Service,
                if service.is_empty() { RecordProblem::Required } else { RecordProblem::UnknownService },
            );
        }
        let d = date(cell(Column::Date));
        if d.is_none() {
            bad(Column::Date, RecordProblem::Unreadable);
        }
        let t = time(cell(Column::Time));
        if t.is_none() {
            bad(Column::Time, RecordProblem::Unreadable);
        }
        let minutes = whole(cell(Column::Minutes)).filter(|m| (1..=MINUTES_PER_DAY).contains(m));
        if minutes.is_none() {
            bad(Column::Minutes, RecordProblem::Minutes);
        }
        let worker = text(cell(Column::Worker));
        if worker.is_empty() {
            bad(Column::Worker, RecordProblem::Required);
        }
        let place = text(cell(Column::Location));
        let location = if place.is_empty() { None } else { Location::parse(&place) };
        if !place.is_empty() && location.is_none() {
            bad(Column::Location, RecordProblem::Location);
        }
        let external_id = Some(text(cell(Column::ExternalId))).filter(|s| !s.is_empty());
        if let (Some(code), Some(d), Some(t), Some(minutes)) = (code, d, t, minutes) {
            out.push(Row {
                row,
                contract_number,
                id_number,
                service_code: code.to_owned(),
                started_at: d.and_time(t),
                minutes,
                worker,
                notes: text(cell(Column::Notes)),
                location,
                external_id,
            });
        }
    }
    Ok((out, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    fn header() -> Vec<Cell> {
        Column::ALL.iter().map(|c| t(c.zh())).collect()
    }

    fn row(date: Cell, time: Cell, minutes: Cell) -> Vec<Cell> {
        vec![
            t("HT-2026-001"),
            t("11010519491231002x"),
            t("定期走访"),
            date,
            time,
            minutes,
            t("张敏"),
            t("探访"),
            Cell::Empty,
            t("X-1"),
        ]
    }

    #[test]
    fn rows_become_records_with_their_row_numbers() {
        let rows = vec![
            header(),
            row(t("2026-11-20"), t("09:30"), Cell::Number(45.0)),
            vec![],
            row(
                Cell::Date(NaiveDate::from_ymd_opt(2026, 11, 21).expect("test value")),
                Cell::Number(0.375),
                t("60"),
            ),
        ];
        let (out, problems) = parse(&rows).expect("test value");
        assert!(problems.is_empty());
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].row, 2);
        assert_eq!(out[0].started_at.to_string(), "2026-11-20 09:30:00");
        assert_eq!(out[0].id_number.as_deref(), Some("11010519491231002X"));
        assert_eq!(out[0].service_code, "visits");
        assert_eq!(out[1].row, 4, "the blank row keeps its number");
        assert_eq!(out[1].started_at.to_string(), "2026-11-21 09:00:00");
        assert_eq!(out[1].minutes, 60);
    }

    #[test]
    fn every_problem_names_its_row_and_column() {
        let mut bad = row(t("20th November"), t("25:00"), Cell::Number(0.0));
        bad[2] = t("打扫卫生");
        bad[8] = t("somewhere");
        let (good, problems) =
            parse(&[header(), row(t("2026-11-20"), t("09:30"), t("45")), bad]).expect("test value");
        assert_eq!(good.len(), 1);
        let at: Vec<(usize, char, RecordProblem)> =
            problems.iter().map(|p| (p.row, p.column.letter(), p.problem)).collect();
        assert_eq!(
            at,
            [
                (3, 'C', RecordProblem::UnknownService),
                (3, 'D', RecordProblem::Unreadable),
                (3, 'E', RecordProblem::Unreadable),
                (3, 'F', RecordProblem::Minutes),
                (3, 'I', RecordProblem::Location),
            ]
        );
    }

    #[test]
    fn the_header_must_be_the_templates() {
        let mut h = header();
        h[3] = t("日期");
        assert_eq!(parse(&[h]), Err(FileProblem::Header(Column::Date)));
        assert_eq!(parse(&[header()]), Err(FileProblem::Empty));
        let en: Vec<Cell> = Column::ALL.iter().map(|c| t(c.en())).collect();
        assert!(parse(&[en, row(t("2026-11-20"), t("09:30"), t("45"))]).is_ok());
        assert_eq!(service_code("Personal care"), Some("care"));
        assert_eq!(service_code("专职低保员岗位服务"), None);
    }
}
