//! Reading the roster from a spreadsheet: which column is which (by its
//! header, in any order), what each cell may hold, and every problem found
//! with its row and column. Pure: the server turns the .xlsx file into
//! [`Cell`]s and checks the rows against the database afterwards
//! (`db::roster_import`).
//!
//! The rules a user meets:
//! - the first non-empty row holds the headers; required columns are 姓名,
//!   身份证号码, 手机号码, 学历, 入职日期 and 镇街; unknown columns are
//!   ignored (so an exported roster can be imported again);
//! - empty rows are skipped; at most [`MAX_ROWS`] data rows;
//! - identity numbers must be typed as text: a number cell holds at most
//!   15 significant digits, so Excel has already lost the last ones;
//! - dates may be date cells, `2024-03-01`, `2024/3/1`, `2024.3.1`,
//!   `2024年3月1日` or `20240301`;
//! - below 大专 needs an approver's exception per person, which an import
//!   cannot carry: such rows are refused.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::idcard::IdNumber;
use super::roster::{
    Certificate, Education, PersonField, PersonInput, PersonProblem, RoleLevel, check_person,
};

/// Data rows one file may hold.
pub const MAX_ROWS: usize = 100_000;
/// Longest text kept in a cell, in characters (names have their own limit).
pub const MAX_CELL_CHARS: usize = 200;
/// Problems kept in a report; the count is always complete.
pub const MAX_PROBLEMS_KEPT: usize = 10_000;

/// How to treat a file with failed rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Nothing is imported while any row fails.
    All,
    /// The good rows are imported; the failed ones come back as a file.
    Partial,
}

impl ImportMode {
    pub fn code(self) -> &'static str {
        match self {
            ImportMode::All => "all",
            ImportMode::Partial => "partial",
        }
    }

    pub fn from_code(code: &str) -> Option<ImportMode> {
        [ImportMode::All, ImportMode::Partial].into_iter().find(|m| m.code() == code)
    }
}

/// What became of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// Every row imported.
    Imported,
    /// The good rows imported, the others returned.
    Partial,
    /// Nothing imported.
    Rejected,
}

impl ImportStatus {
    pub fn code(self) -> &'static str {
        match self {
            ImportStatus::Imported => "imported",
            ImportStatus::Partial => "partial",
            ImportStatus::Rejected => "rejected",
        }
    }

    pub fn from_code(code: &str) -> Option<ImportStatus> {
        [ImportStatus::Imported, ImportStatus::Partial, ImportStatus::Rejected]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// One cell as the spreadsheet holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    Date(NaiveDate),
    /// An Excel error value (`#N/A`, `#REF!`, ...).
    Error(String),
}

impl Cell {
    fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as a user would read it (for the failed-rows file).
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => number_text(*n),
            Cell::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Error(e) => e.clone(),
        }
    }
}

/// A number without a useless `.0`; integers in full.
fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { format!("{n}") }
}

/// The columns of the roster file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    Name,
    IdNumber,
    Phone,
    Education,
    SocialWorkMajor,
    Certificate,
    HireDate,
    Town,
    Post,
    RoleLevel,
    Duties,
}

impl Column {
    /// In the order of the template.
    pub const ALL: [Column; 11] = [
        Column::Name,
        Column::IdNumber,
        Column::Phone,
        Column::Education,
        Column::SocialWorkMajor,
        Column::Certificate,
        Column::HireDate,
        Column::Town,
        Column::Post,
        Column::RoleLevel,
        Column::Duties,
    ];

    /// Must the file have this column, and every row a value in it?
    pub fn required(self) -> bool {
        matches!(
            self,
            Column::Name
                | Column::IdNumber
                | Column::Phone
                | Column::Education
                | Column::HireDate
                | Column::Town
        )
    }

    /// The header the template and the export use.
    pub fn header(self) -> &'static str {
        self.aliases()[0]
    }

    /// Headers recognised for this column, normalised (see
    /// [`normalise_header`]); the first is the template's.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Name => &["姓名", "name"],
            Column::IdNumber => {
                &["身份证号码", "身份证号", "公民身份号码", "身份证", "idnumber", "id_number"]
            }
            Column::Phone => &["手机号码", "联系电话", "手机", "电话", "phone"],
            Column::Education => &["学历", "最高学历", "education"],
            Column::SocialWorkMajor => &[
                "社会工作专业",
                "是否社会工作专业",
                "社工专业",
                "socialworkmajor",
                "social-workmajor",
                "social_work_major",
            ],
            Column::Certificate => {
                &["职业资格", "社会工作职业资格", "社工证", "qualification", "certificate"]
            }
            Column::HireDate => &["入职日期", "聘用日期", "hiredate", "hire_date"],
            Column::Town => &["镇街", "所属镇街", "镇(街道)", "乡镇街道", "town"],
            Column::Post => &["岗位编号", "岗位", "post", "postcode", "post_code"],
            Column::RoleLevel => &["职务", "职务级别", "role", "rolelevel", "role_level"],
            Column::Duties => &["工作职责", "职责", "duties"],
        }
    }

    /// The column a header names, if any.
    pub fn from_header(header: &str) -> Option<Column> {
        let h = normalise_header(header);
        Self::ALL.into_iter().find(|c| c.aliases().iter().any(|a| normalise_header(a) == h))
    }

    /// The person field a column holds, for mapping [`check_person`]'s
    /// problems back to cells.
    fn of_field(field: PersonField) -> Column {
        match field {
            PersonField::Name => Column::Name,
            PersonField::IdNumber => Column::IdNumber,
            PersonField::Phone => Column::Phone,
            PersonField::Education => Column::Education,
            PersonField::Certificate => Column::Certificate,
            PersonField::HireDate => Column::HireDate,
            PersonField::RoleLevel => Column::RoleLevel,
            PersonField::Town => Column::Town,
            PersonField::Post => Column::Post,
        }
    }
}

/// Lower case, without spaces, `*` marks, and any `(...)` hint at the
/// end (full-width brackets too): `入职日期（YYYY-MM-DD）*` → `入职日期`.
pub fn normalise_header(h: &str) -> String {
    let h: String = h
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '*')
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            other => other,
        })
        .flat_map(char::to_lowercase)
        .collect();
    // A hint in brackets at the end is dropped, except where the brackets
    // are part of the name (镇(街道)).
    match h.find('(') {
        Some(i) if i > 0 && h.ends_with(')') && &h[i..] != "(街道)" => h[..i].to_owned(),
        _ => h,
    }
}

/// `A`, `B`, ..., `Z`, `AA`, ... for a 0-based column index.
pub fn column_letter(index: u32) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(char::from(b'A' + u8::try_from(r).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// What is wrong, in a file, a row or a cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ImportProblem {
    // The file as a whole.
    /// Not an .xlsx workbook (checked from its content, not its name).
    NotXlsx,
    /// An .xlsx that cannot be read (damaged, or protected by a password).
    Unreadable,
    /// The workbook has no sheet, or the first sheet is empty.
    NoSheet,
    /// A required column is missing from the header row.
    MissingColumn {
        column: Column,
    },
    /// Two headers name the same column.
    DuplicateColumn {
        column: Column,
    },
    /// Headers but no data rows.
    NoRows,
    TooManyRows {
        max: usize,
    },
    // One cell.
    Required,
    /// An identity number typed as a number: its last digits are lost.
    IdAsNumber,
    Person {
        problem: PersonProblem,
    },
    /// Below 大专: needs an exception per person, not an import.
    EducationNeedsException,
    UnknownEducation,
    UnknownCertificate,
    UnknownRoleLevel,
    /// Expected 是 or 否.
    NotYesNo,
    NotADate,
    TooLong {
        max: usize,
    },
    /// An Excel error value such as `#N/A`.
    ErrorValue,
    /// The same identity number on an earlier row of the file.
    DuplicateInFile {
        first_row: u32,
    },
    // Checked against the database.
    UnknownTown,
    /// A town the importing user may not manage.
    TownOutOfScope,
    UnknownPost,
    /// The post is abolished or not yet established.
    PostClosed,
    /// The post belongs to another town than the row's.
    PostInOtherTown,
    /// Someone on the roster holds the post.
    PostTaken,
    /// The same post on an earlier row of the file.
    PostTwiceInFile {
        first_row: u32,
    },
    /// Someone with this identity number is on the roster.
    AlreadyOnRoster,
    /// The workbook unpacks to more than `max` MB (a compression bomb,
    /// or far more than an import can hold).
    TooLargeUnpacked {
        max: usize,
    },
}

/// One problem: `row` is the spreadsheet's row number (1 = the first row;
/// 0 for the file as a whole), `col` the 0-based column index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub row: u32,
    pub col: Option<u32>,
    pub column: Option<Column>,
    pub problem: ImportProblem,
}

impl Problem {
    pub fn file(problem: ImportProblem) -> Problem {
        Problem { row: 0, col: None, column: None, problem }
    }

    /// `B7`-style reference, when about a cell.
    pub fn cell_ref(&self) -> Option<String> {
        self.col.map(|c| format!("{}{}", column_letter(c), self.row))
    }
}

/// The values of one good row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowValues {
    pub person: PersonInput,
    /// Town code or name as written.
    pub town: String,
    /// Post code as written; `None`: hire on standby (待岗).
    pub post: Option<String>,
    pub duties: String,
}

/// One data row of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    /// Spreadsheet row number.
    pub row: u32,
    /// The cells as text, for the failed-rows file.
    pub raw: Vec<String>,
    /// `None` when a cell has a problem.
    pub values: Option<RowValues>,
}

/// A file read and checked on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The header row as written.
    pub headers: Vec<String>,
    /// Where each known column is (0-based index).
    pub columns: HashMap<Column, u32>,
    pub rows: Vec<SheetRow>,
    pub problems: Vec<Problem>,
}

impl Parsed {
    fn failed(problem: ImportProblem) -> Parsed {
        Parsed {
            headers: Vec::new(),
            columns: HashMap::new(),
            rows: Vec::new(),
            problems: vec![Problem::file(problem)],
        }
    }

    /// A file that could not be read at all.
    pub fn unreadable(problem: ImportProblem) -> Parsed {
        Self::failed(problem)
    }

    /// The file-level problem that stops everything, if any.
    pub fn fatal(&self) -> bool {
        self.problems.iter().any(|p| p.row == 0)
    }
}

/// Reads the sheet's rows (each a row of cells, the first row being row 1
/// of the spreadsheet) and checks every cell. `today` bounds hire dates.
pub fn parse(sheet: &[Vec<Cell>], today: NaiveDate) -> Parsed {
    let Some(header_index) = sheet.iter().position(|r| r.iter().any(|c| !c.is_blank())) else {
        return Parsed::failed(ImportProblem::NoSheet);
    };
    let headers: Vec<String> = sheet[header_index].iter().map(|c| c.display().trim().to_owned()).collect();
    let mut columns = HashMap::new();
    let mut problems = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if let Some(c) = Column::from_header(h) {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            if columns.insert(c, i).is_some() {
                problems.push(Problem {
                    row: row_number(header_index),
                    col: Some(i),
                    column: Some(c),
                    problem: ImportProblem::DuplicateColumn { column: c },
                });
            }
        }
    }
    for c in Column::ALL {
        if c.required() && !columns.contains_key(&c) {
            problems.push(Problem::file(ImportProblem::MissingColumn { column: c }));
        }
    }
    if !problems.is_empty() {
        // A header-level duplicate is reported with its cell but stops the
        // file like a missing column.
        for p in &mut problems {
            if matches!(p.problem, ImportProblem::DuplicateColumn { .. }) {
                p.row = 0;
            }
        }
        return Parsed { headers, columns, rows: Vec::new(), problems };
    }
    let data: Vec<(usize, &Vec<Cell>)> = sheet
        .iter()
        .enumerate()
        .skip(header_index + 1)
        .filter(|(_, r)| r.iter().any(|c| !c.is_blank()))
        .collect();
    if data.is_empty() {
        return Parsed {
            headers,
            columns,
            rows: Vec::new(),
            problems: vec![Problem::file(ImportProblem::NoRows)],
        };
    }
    if data.len() > MAX_ROWS {
        return Parsed {
            headers,
            columns,
            rows: Vec::new(),
            problems: vec![Problem::file(ImportProblem::TooManyRows { max: MAX_ROWS })],
        };
    }
    let mut first_seen: HashMap<String, u32> = HashMap::new();
    let mut rows = Vec::with_capacity(data.len());
    for (index, cells) in data {
        let row = row_number(index);
        let mut reader = RowReader { cells, columns: &columns, row, problems: Vec::new() };
        let values = reader.values(today);
        // The same person twice in the file: the later rows are refused.
        if let Some(v) = &values {
            match first_seen.get(&v.person.id_number) {
                Some(first) => {
                    reader.problem(Column::IdNumber, ImportProblem::DuplicateInFile { first_row: *first })
                }
                None => {
                    first_seen.insert(v.person.id_number.clone(), row);
                }
            }
        }
        let ok = reader.problems.is_empty();
        problems.append(&mut reader.problems);
        rows.push(SheetRow {
            row,
            raw: cells.iter().map(Cell::display).collect(),
            values: if ok { values } else { None },
        });
    }
    Parsed { headers, columns, rows, problems }
}

fn row_number(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

/// Reads one row's cells, collecting problems.
struct RowReader<'a> {
    cells: &'a [Cell],
    columns: &'a HashMap<Column, u32>,
    row: u32,
    problems: Vec<Problem>,
}

impl RowReader<'_> {
    fn problem(&mut self, column: Column, problem: ImportProblem) {
        let col = self.columns.get(&column).copied();
        self.problems.push(Problem { row: self.row, col, column: Some(column), problem });
    }

    fn cell(&self, column: Column) -> &Cell {
        self.columns
            .get(&column)
            .and_then(|i| self.cells.get(usize::try_from(*i).unwrap_or(usize::MAX)))
            .unwrap_or(&Cell::Empty)
    }

    /// The cell as trimmed text; `None` (with a problem) for an error
    /// value, a missing required value or an over-long text.
    fn text(&mut self, column: Column) -> Option<String> {
        let cell = self.cell(column).clone();
        let text = match cell {
            Cell::Error(_) => {
                self.problem(column, ImportProblem::ErrorValue);
                return None;
            }
            other => other.display().trim().to_owned(),
        };
        if text.is_empty() && column.required() {
            self.problem(column, ImportProblem::Required);
            return None;
        }
        if text.chars().count() > MAX_CELL_CHARS {
            self.problem(column, ImportProblem::TooLong { max: MAX_CELL_CHARS });
            return None;
        }
        Some(text)
    }

    fn values(&mut self, today: NaiveDate) -> Option<RowValues> {
        let name = self.text(Column::Name);
        let id_number = match self.cell(Column::IdNumber) {
            Cell::Number(_) => {
                self.problem(Column::IdNumber, ImportProblem::IdAsNumber);
                None
            }
            _ => self.text(Column::IdNumber).map(|t| t.to_ascii_uppercase()),
        };
        let phone = self.text(Column::Phone);
        let education = self.choice(Column::Education, parse_education, ImportProblem::UnknownEducation);
        let major = self.choice(Column::SocialWorkMajor, parse_yes_no, ImportProblem::NotYesNo);
        let certificate =
            self.choice(Column::Certificate, parse_certificate, ImportProblem::UnknownCertificate);
        let hire_date = self.date(Column::HireDate);
        let town = self.text(Column::Town);
        let post = self.text(Column::Post);
        let role_level = self.choice(Column::RoleLevel, parse_role_level, ImportProblem::UnknownRoleLevel);
        let duties = self.text(Column::Duties);

        let (Some(name), Some(id_number), Some(phone), Some(town), Some(post), Some(duties)) =
            (name, id_number, phone, town, post, duties)
        else {
            // Still check what can be checked, so one pass shows all.
            return None;
        };
        let (Some(education), Some(major), Some(certificate), Some(hire_date), Some(role_level)) =
            (education, major, certificate, hire_date, role_level)
        else {
            return None;
        };
        let person = PersonInput {
            name,
            id_number: IdNumber::parse(&id_number).map(|i| i.as_str().to_owned()).unwrap_or(id_number),
            phone,
            education: education.unwrap_or(Education::College),
            social_work_major: major.unwrap_or(false),
            certificate: certificate.unwrap_or(Certificate::None),
            hire_date,
            role_level: role_level.unwrap_or(RoleLevel::Assistant),
        };
        for (field, problem) in check_person(&person, today) {
            let p = if problem == PersonProblem::EducationBelowMinimum {
                ImportProblem::EducationNeedsException
            } else {
                ImportProblem::Person { problem }
            };
            self.problem(Column::of_field(field), p);
        }
        if !self.problems.is_empty() {
            return None;
        }
        Some(RowValues { person, town, post: Some(post).filter(|p| !p.is_empty()), duties })
    }

    /// A cell holding one of a fixed set of values. `Some(None)`: empty
    /// and optional; `None`: a problem was recorded.
    fn choice<T>(
        &mut self,
        column: Column,
        parse: fn(&str) -> Option<T>,
        unknown: ImportProblem,
    ) -> Option<Option<T>> {
        let text = self.text(column)?;
        if text.is_empty() {
            return Some(None);
        }
        match parse(&text) {
            Some(v) => Some(Some(v)),
            None => {
                self.problem(column, unknown);
                None
            }
        }
    }

    fn date(&mut self, column: Column) -> Option<NaiveDate> {
        let parsed = match self.cell(column).clone() {
            Cell::Date(d) => Some(d),
            Cell::Number(n) => date_from_number(n),
            Cell::Text(t) if !t.trim().is_empty() => parse_date(&t),
            Cell::Error(_) => {
                self.problem(column, ImportProblem::ErrorValue);
                return None;
            }
            _ => {
                self.problem(column, ImportProblem::Required);
                return None;
            }
        };
        if parsed.is_none() {
            self.problem(column, ImportProblem::NotADate);
        }
        parsed
    }
}

fn key(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

/// 学历 as written: the labels of the form, common synonyms, English.
pub fn parse_education(s: &str) -> Option<Education> {
    let k = key(s);
    let e = match k.as_str() {
        "初中及以下"
        | "初中"
        | "小学"
        | "小学及以下"
        | "juniororbelow"
        | "junior_or_below"
        | "juniorschoolorbelow" => Education::JuniorOrBelow,
        "高中/中专"
        | "高中"
        | "中专"
        | "职高"
        | "技校"
        | "高中或中专"
        | "secondary"
        | "senior/vocationalschool" => Education::Secondary,
        "大专" | "专科" | "大学专科" | "高职" | "高职高专" | "college" | "college(dazhuan)" => {
            Education::College
        }
        "本科" | "大学本科" | "大学" | "学士" | "bachelor" => Education::Bachelor,
        "硕士研究生" | "硕士" | "研究生" | "master" => Education::Master,
        "博士研究生" | "博士" | "doctorate" | "phd" => Education::Doctorate,
        _ => return None,
    };
    Some(e)
}

/// 职业资格 as written.
pub fn parse_certificate(s: &str) -> Option<Certificate> {
    let k = key(s);
    let c = match k.as_str() {
        "无" | "没有" | "none" | "-" | "/" => Certificate::None,
        "助理社会工作师" | "助理社工师" | "初级" | "assistant" | "assistantsocialworker" => {
            Certificate::Assistant
        }
        "社会工作师" | "社工师" | "中级" | "intermediate" | "socialworker" => {
            Certificate::Intermediate
        }
        "高级社会工作师" | "高级社工师" | "高级" | "senior" | "seniorsocialworker" => {
            Certificate::Senior
        }
        _ => return None,
    };
    Some(c)
}

/// 职务 as written.
pub fn parse_role_level(s: &str) -> Option<RoleLevel> {
    let k = key(s);
    let r = match k.as_str() {
        "站长" | "head" | "stationhead" => RoleLevel::Head,
        "副站长" | "deputy" | "deputyhead" => RoleLevel::Deputy,
        "专职低保员" | "低保员" | "assistant" | "full-timeassistant" => RoleLevel::Assistant,
        _ => return None,
    };
    Some(r)
}

/// 是/否 as written.
pub fn parse_yes_no(s: &str) -> Option<bool> {
    let k = key(s);
    match k.as_str() {
        "是" | "y" | "yes" | "true" | "1" | "√" | "✓" => Some(true),
        "否" | "n" | "no" | "false" | "0" | "×" | "✗" => Some(false),
        _ => None,
    }
}

/// A date typed as text: `2024-03-01`, `2024/3/1`, `2024.3.1`,
/// `2024年3月1日`, `20240301`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let t = s.trim();
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(t, "%Y%m%d").ok();
    }
    let t = t.replace(['年', '月', '/', '.'], "-").replace('日', "");
    // A time after the date (`2024-03-01 00:00:00`) is ignored.
    let date_part = t.split_whitespace().next().unwrap_or("");
    let parts: Vec<&str> = date_part.split('-').collect();
    let [y, m, d] = parts.as_slice() else { return None };
    let (y, m, d) = (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?, d.parse::<u32>().ok()?);
    if !(1900..=2200).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

/// A number in a date column: `20240301`, or an Excel serial day number
/// (1900 date system) for a cell that lost its date format.
pub fn date_from_number(n: f64) -> Option<NaiveDate> {
    if n.fract() != 0.0 {
        return None;
    }
    let i = n as i64;
    if (19_000_101..=22_001_231).contains(&i) {
        return parse_date(&i.to_string());
    }
    // 1900-01-01 is 1; Excel's phantom 1900-02-29 makes day 0 fall on
    // 1899-12-30 for every serial after February 1900.
    if (61..=150_000).contains(&i) {
        let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
        return base.checked_add_days(chrono::Days::new(u64::try_from(i).ok()?));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    fn header() -> Vec<Cell> {
        Column::ALL.iter().map(|c| t(c.header())).collect()
    }

    fn good(id: &str) -> Vec<Cell> {
        vec![
            t("王小明"),
            t(id),
            t("13800138000"),
            t("本科"),
            t("是"),
            t("助理社会工作师"),
            Cell::Date(d(2024, 3, 1)),
            t("BJ"),
            t(""),
            t("专职低保员"),
            t(""),
        ]
    }

    const ID1: &str = "11010519491231002X";
    const ID2: &str = "110105198001010016";

    #[test]
    fn headers_are_recognised_in_any_form() {
        assert_eq!(Column::from_header("身份证号码"), Some(Column::IdNumber));
        assert_eq!(Column::from_header(" 入职日期（YYYY-MM-DD）* "), Some(Column::HireDate));
        assert_eq!(Column::from_header("镇(街道)"), Some(Column::Town));
        assert_eq!(Column::from_header("Hire date"), Some(Column::HireDate));
        assert_eq!(Column::from_header("备注"), None);
        for c in Column::ALL {
            assert_eq!(Column::from_header(c.header()), Some(c), "{c:?}");
        }
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn dates_in_every_common_form() {
        for s in ["2024-03-01", "2024/3/1", "2024.3.1", "2024年3月1日", "20240301", "2024-03-01 00:00:00"]
        {
            assert_eq!(parse_date(s), Some(d(2024, 3, 1)), "{s}");
        }
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("三月"), None);
        assert_eq!(date_from_number(45352.0), Some(d(2024, 3, 1)));
        assert_eq!(date_from_number(20240301.0), Some(d(2024, 3, 1)));
        assert_eq!(date_from_number(1.5), None);
    }

    #[test]
    fn a_good_file_reads_every_row() {
        let sheet = vec![header(), good(ID1), vec![Cell::Empty; 3], good(ID2)];
        let p = parse(&sheet, d(2026, 11, 23));
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[1].row, 4);
        let v = p.rows[0].values.as_ref().expect("values");
        assert_eq!(v.person.education, Education::Bachelor);
        assert!(v.person.social_work_major);
        assert_eq!(v.post, None);
    }

    #[test]
    fn every_bad_cell_is_reported_with_row_and_column() {
        let mut bad = good("110105194912310028");
        bad[2] = t("12345");
        bad[3] = t("高中");
        bad[6] = t("昨天");
        let mut numeric = good(ID2);
        numeric[1] = Cell::Number(110105194912310030.0);
        numeric[9] = t("科员");
        let sheet = vec![header(), good(ID1), bad, numeric, good(ID1)];
        let p = parse(&sheet, d(2026, 11, 23));
        let got: Vec<(Option<String>, &ImportProblem)> =
            p.problems.iter().map(|x| (x.cell_ref(), &x.problem)).collect();
        assert!(got.contains(&(Some("G3".into()), &ImportProblem::NotADate)), "{got:?}");
        assert!(got.contains(&(Some("B4".into()), &ImportProblem::IdAsNumber)));
        assert!(got.contains(&(Some("J4".into()), &ImportProblem::UnknownRoleLevel)));
        assert!(got.contains(&(Some("B5".into()), &ImportProblem::DuplicateInFile { first_row: 2 })));
        assert_eq!(p.rows.iter().filter(|r| r.values.is_some()).count(), 1);
        // With a readable date the person checks run too.
        let mut bad2 = good("110105194912310028");
        bad2[2] = t("12345");
        bad2[3] = t("高中");
        let p = parse(&[header(), bad2], d(2026, 11, 23));
        let cells: Vec<String> = p.problems.iter().filter_map(Problem::cell_ref).collect();
        assert_eq!(cells, vec!["B2", "C2", "D2"]);
        assert!(p.problems.iter().any(|x| x.problem == ImportProblem::EducationNeedsException));
    }

    #[test]
    fn missing_columns_stop_the_file() {
        let sheet = vec![vec![t("姓名"), t("手机号码")], good(ID1)];
        let p = parse(&sheet, d(2026, 11, 23));
        assert!(p.fatal());
        assert!(
            p.problems.contains(&Problem::file(ImportProblem::MissingColumn { column: Column::IdNumber }))
        );
        assert!(parse(&[], d(2026, 11, 23)).fatal());
        assert_eq!(parse(&[header()], d(2026, 11, 23)).problems, vec![Problem::file(ImportProblem::NoRows)]);
    }
}
