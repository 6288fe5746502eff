//! Spreadsheets: reading an uploaded .xlsx into plain cells (calamine) and
//! writing workbooks (rust_xlsxwriter). What the cells mean is decided in
//! `app::domain::roster_import`; what the exports hold in `routes::files`.

use std::io::Cursor;

use app::domain::roster_import::{Cell, ImportProblem, date_from_number};
use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{
    Chart, ChartType, DataValidation, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError,
};

/// Largest upload accepted, in bytes (a 100,000-row roster is about 6 MB).
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// The first sheet of an .xlsx file as rows of cells, row 1 first and
/// column A first (cells before the first used one are empty).
pub fn read_first_sheet(bytes: &[u8]) -> Result<Vec<Vec<Cell>>, ImportProblem> {
    // An .xlsx is a zip archive; .xls and password-protected workbooks are
    // OLE compound files. Decided from the content, never the file name.
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(ImportProblem::NotXlsx);
    }
    unpacks_within_limit(bytes)?;
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let Some(name) = book.sheet_names().into_iter().next() else {
        return Err(ImportProblem::NoSheet);
    };
    // Cell by cell, never calamine's dense range: a workbook of a few KB
    // naming one cell at XFD1048576 made it allocate 512 GB and abort the
    // whole server (found while writing the fuzz target `xlsx_import`). Cells beyond
    // what an import can hold refuse the file before anything is sized
    // for them.
    let mut reader = book.worksheet_cells_reader(&name).map_err(unreadable)?;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    while let Some(c) = reader.next_cell().map_err(unreadable)? {
        let (r, col) = c.get_position();
        if r >= MAX_SHEET_ROWS {
            return Err(ImportProblem::TooManyRows { max: app::domain::roster_import::MAX_ROWS });
        }
        if col >= MAX_SHEET_COLUMNS {
            tracing::info!(column = col, "xlsx upload with a cell beyond the columns read");
            return Err(ImportProblem::Unreadable);
        }
        let value = cell(&Data::from(c.get_value().clone()));
        if value == Cell::Empty {
            continue;
        }
        let (r, col) = (r as usize, col as usize);
        if rows.len() <= r {
            rows.resize(r + 1, Vec::new());
        }
        let row = &mut rows[r];
        if row.len() <= col {
            row.resize(col + 1, Cell::Empty);
        }
        row[col] = value;
    }
    if rows.is_empty() {
        return Err(ImportProblem::NoSheet);
    }
    Ok(rows)
}

/// A workbook (or a part of it) that cannot be read; why, in the log.
fn unreadable(e: impl std::fmt::Display) -> ImportProblem {
    tracing::info!(error = %e, "unreadable xlsx upload");
    ImportProblem::Unreadable
}

/// The most a workbook may unpack to, all its parts together: an import's
/// 100,000 rows take a few tens of MB. A 1 MB upload holding 1 GB of
/// whitespace in its sheet made the reader hold the gigabyte at once
/// (1.1 GB resident); within the 20 MB upload limit that could be 20 GB.
pub const MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;

/// Inflates every part of the archive once, counting what comes out (a
/// part's declared size can lie), and stops past [`MAX_UNPACKED_BYTES`].
fn unpacks_within_limit(bytes: &[u8]) -> Result<(), ImportProblem> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(unreadable)?;
        let left = MAX_UNPACKED_BYTES - total;
        total += std::io::copy(&mut entry.take(left + 1), &mut std::io::sink()).map_err(unreadable)?;
        if total > MAX_UNPACKED_BYTES {
            return Err(ImportProblem::TooLargeUnpacked { max: (MAX_UNPACKED_BYTES >> 20) as usize });
        }
    }
    Ok(())
}

/// The last row read: the importers' data rows, a header and headroom.
const MAX_SHEET_ROWS: u32 = app::domain::roster_import::MAX_ROWS as u32 + 1_000;
/// The last column read (the import templates use 11).
const MAX_SHEET_COLUMNS: u32 = 256;

fn cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => match date_from_number(dt.as_f64().floor()) {
            Some(date) => Cell::Date(date),
            None => Cell::Number(dt.as_f64()),
        },
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
        // calamine may add kinds (rich text...): read them as text.
        #[allow(unreachable_patterns)]
        other => Cell::Text(other.to_string()),
    }
}

/// A value to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Int(i64),
    /// A number shown with `decimals` places (quotas, shares).
    Number {
        value: f64,
        decimals: u8,
    },
    Date(chrono::NaiveDate),
    Empty,
}

impl Value {
    /// An exact decimal (money, a quota) as a spreadsheet number shown
    /// with `decimals` places. Spreadsheets hold doubles; the text of the
    /// decimal is what is converted, so nothing is lost at these sizes.
    pub fn decimal(d: rust_decimal::Decimal, decimals: u8) -> Value {
        Value::Number { value: d.to_string().parse::<f64>().unwrap_or(0.0), decimals }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Int(n)
    }
}

impl From<Option<chrono::NaiveDate>> for Value {
    fn from(d: Option<chrono::NaiveDate>) -> Value {
        d.map_or(Value::Empty, Value::Date)
    }
}

/// A drop-down list on a column's data rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Choices {
    pub column: u16,
    pub values: Vec<String>,
}

/// One worksheet: a bold, frozen header row with a filter, then rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sheet {
    pub name: String,
    /// Lines above the table (title, as-of date); may be empty.
    pub preamble: Vec<String>,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    /// Column widths in characters (missing: 12).
    pub widths: Vec<f64>,
    /// Columns formatted as text even when empty (identity numbers).
    pub text_columns: Vec<u16>,
    /// Drop-downs for data entry (the import template).
    pub choices: Vec<Choices>,
    /// Rows of the template that get the drop-downs and text format.
    pub entry_rows: u32,
    /// A native column chart of the data rows, beside the table.
    pub chart: Option<ColumnChart>,
}

/// A column chart: categories from one column, a series per column.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnChart {
    pub title: String,
    pub categories: u16,
    pub series: Vec<u16>,
}

/// Writes a workbook of `sheets`.
pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_background_color(0xE8EEF4).set_align(FormatAlign::Center);
    let title = Format::new().set_bold().set_font_size(13);
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for sheet in sheets {
        let ws = book.add_worksheet();
        ws.set_name(&sheet.name)?;
        let mut row: u32 = 0;
        for (i, line) in sheet.preamble.iter().enumerate() {
            if i == 0 {
                ws.write_string_with_format(row, 0, line, &title)?;
            } else {
                ws.write_string(row, 0, line)?;
            }
            row += 1;
        }
        if !sheet.preamble.is_empty() {
            row += 1;
        }
        let header_row = row;
        for (c, h) in sheet.headers.iter().enumerate() {
            ws.write_string_with_format(header_row, col(c), h, &bold)?;
        }
        for c in 0..sheet.headers.len() {
            ws.set_column_width(col(c), sheet.widths.get(c).copied().unwrap_or(12.0))?;
        }
        for c in &sheet.text_columns {
            ws.set_column_format(*c, &text)?;
        }
        for values in &sheet.rows {
            row += 1;
            for (c, v) in values.iter().enumerate() {
                write(ws, row, col(c), v, &text, &date)?;
            }
        }
        if !sheet.headers.is_empty() {
            ws.set_freeze_panes(header_row + 1, 0)?;
            let last_row = row.max(header_row + 1);
            ws.autofilter(header_row, 0, last_row, col(sheet.headers.len() - 1))?;
        }
        if let Some(c) = &sheet.chart
            && row > header_row
        {
            let name = sheet.name.as_str();
            let mut chart = Chart::new(ChartType::Column);
            chart.title().set_name(&c.title);
            for s in &c.series {
                chart
                    .add_series()
                    .set_categories((name, header_row + 1, c.categories, row, c.categories))
                    .set_values((name, header_row + 1, *s, row, *s))
                    .set_name((name, header_row, *s));
            }
            ws.insert_chart(header_row + 1, col(sheet.headers.len() + 1), &chart)?;
        }
        for choice in &sheet.choices {
            let values: Vec<&str> = choice.values.iter().map(String::as_str).collect();
            let v = DataValidation::new().allow_list_strings(&values)?;
            ws.add_data_validation(
                header_row + 1,
                choice.column,
                header_row + sheet.entry_rows.max(1),
                choice.column,
                &v,
            )?;
        }
    }
    book.save_to_buffer()
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

fn write(
    ws: &mut Worksheet,
    row: u32,
    c: u16,
    v: &Value,
    text: &Format,
    date: &Format,
) -> Result<(), XlsxError> {
    match v {
        Value::Text(s) => {
            // Text cells stay text: an identity number must not become a
            // number on the way back in.
            ws.write_string_with_format(row, c, s, text)?;
        }
        Value::Int(n) => {
            ws.write_number(row, c, *n as f64)?;
        }
        Value::Number { value, decimals } => {
            let pattern = if *decimals == 0 {
                "0".to_owned()
            } else {
                format!("0.{}", "0".repeat(usize::from(*decimals)))
            };
            ws.write_number_with_format(row, c, *value, &Format::new().set_num_format(&pattern))?;
        }
        Value::Date(d) => {
            use chrono::Datelike;
            let dt = ExcelDateTime::from_ymd(
                u16::try_from(d.year()).unwrap_or(1900),
                u8::try_from(d.month()).unwrap_or(1),
                u8::try_from(d.day()).unwrap_or(1),
            )?;
            ws.write_datetime_with_format(row, c, &dt, date)?;
        }
        Value::Empty => {}
    }
    Ok(())
}

/// The SHA-256 of `bytes`, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_workbook_reads_back() {
        let d = chrono::NaiveDate::from_ymd_opt(2024, 3, 1).expect("date");
        let sheet = Sheet {
            name: "名册".into(),
            headers: vec!["姓名".into(), "身份证号码".into(), "入职日期".into(), "数".into()],
            rows: vec![vec!["王小明".into(), "11010519491231002X".into(), Value::Date(d), Value::Int(7)]],
            text_columns: vec![1],
            ..Sheet::default()
        };
        let bytes = workbook(&[sheet]).expect("write");
        let rows = read_first_sheet(&bytes).expect("read");
        assert_eq!(rows[0][0], Cell::Text("姓名".into()));
        assert_eq!(rows[1][1], Cell::Text("11010519491231002X".into()));
        assert_eq!(rows[1][2], Cell::Date(d));
        assert_eq!(rows[1][3], Cell::Number(7.0));
    }

    #[test]
    fn other_files_are_refused_from_their_content() {
        assert_eq!(read_first_sheet(b"%PDF-1.7"), Err(ImportProblem::NotXlsx));
        assert_eq!(read_first_sheet(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), Err(ImportProblem::NotXlsx));
        assert_eq!(read_first_sheet(b"PK\x03\x04garbage"), Err(ImportProblem::Unreadable));
    }

    /// A few KB naming one far cell made calamine's dense range allocate
    /// 512 GB and abort the process; now such a file is refused, and cells
    /// with gaps between them read as before.
    #[test]
    fn far_cells_are_refused_without_allocating_for_them() {
        let sheet = |row: u32, col: u16| {
            let mut book = rust_xlsxwriter::Workbook::new();
            let ws = book.add_worksheet();
            ws.write_string(0, 0, "姓名").expect("cell");
            ws.write_string(row, col, "x").expect("cell");
            book.save_to_buffer().expect("workbook")
        };
        let too_many = Err(ImportProblem::TooManyRows { max: app::domain::roster_import::MAX_ROWS });
        assert_eq!(read_first_sheet(&sheet(1_048_575, 16_383)), too_many);
        assert_eq!(read_first_sheet(&sheet(1_048_575, 0)), too_many);
        assert_eq!(read_first_sheet(&sheet(1, 16_383)), Err(ImportProblem::Unreadable));
        let rows = read_first_sheet(&sheet(4, 3)).expect("read");
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[1], Vec::<Cell>::new());
        assert_eq!(rows[4], vec![Cell::Empty, Cell::Empty, Cell::Empty, Cell::Text("x".into())]);
    }

    /// A part that unpacks past the limit refuses the file before calamine
    /// reads any of it (counted as inflated: the declared size is not
    /// trusted).
    #[test]
    fn a_compression_bomb_is_refused() {
        use std::io::Write;
        let mut out = Vec::new();
        {
            let mut zip = zip::ZipWriter::new(Cursor::new(&mut out));
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .large_file(true);
            zip.start_file("xl/worksheets/sheet1.xml", options).expect("entry");
            let chunk = vec![b' '; 1 << 20];
            for _ in 0..=(MAX_UNPACKED_BYTES >> 20) {
                zip.write_all(&chunk).expect("write");
            }
            zip.finish().expect("zip");
        }
        assert!(out.len() < 2 << 20, "{} bytes", out.len());
        assert_eq!(read_first_sheet(&out), Err(ImportProblem::TooLargeUnpacked { max: 256 }));
    }

    #[test]
    fn sha256_is_hex() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
