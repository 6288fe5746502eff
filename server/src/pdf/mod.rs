//! Documents as PDF, typeset by Typst.
//!
//! Fonts and the standard library are loaded once into a [`PdfEngine`] and
//! shared; each document gets a small [`DocWorld`] that serves exactly two
//! files: its template and `data.json`. Templates therefore cannot read
//! anything else on disk, and user text arrives as JSON strings, which
//! Typst sets as plain text, never as markup. Rendering is CPU-bound and
//! runs on the blocking pool, at most [`MAX_PARALLEL_RENDERS`] at a time.
//!
//! Templates are compiled into the binary from `contract-templates/`. With
//! a templates folder (`--templates-dir`, `GOUZHU_TEMPLATES_DIR`) a
//! template found there is read at every render instead, so an edited
//! template shows in the next document without a rebuild; a template that
//! does not compile gives Typst's message with its line, never a crash.

pub mod budget;
pub mod contract;
pub mod inspection;
pub mod payroll;
pub mod staffing;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Dict, Duration, IntoValue};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::{self, FontStore};

/// Renders running at once; each can take a core and a few hundred MB.
pub const MAX_PARALLEL_RENDERS: usize = 2;

/// How many compilations Typst's memo cache may keep entries for. Without
/// eviction the cache grows with every new input (hundreds of MB within a
/// dozen salary sheets).
const CACHE_MAX_AGE: usize = 4;

/// A character every Chinese font has and no Latin font does.
const CJK_PROBE: char = '中';

/// The family the templates are designed with.
const PREFERRED_CJK_FAMILY: &str = "Noto Sans CJK SC";

/// A document template, compiled into the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// 岗位配置汇总表: towns, population and posts of a district.
    StaffingSummary,
    /// 工资表: a month's payroll, by town or summed per town.
    SalarySheet,
    /// 工资条: one slip per person.
    PaySlips,
    /// 预算执行情况: a fiscal year's budget execution with its chart.
    BudgetExecution,
    /// 政府购买服务合同 for a package of social-work services.
    ContractSocialWork,
    /// 政府购买服务合同 for assistant posts bought as a service.
    ContractAssistantPosts,
    /// 整改通知书: a spot inspection's findings and deadline, to a town.
    RectificationNotice,
}

impl Template {
    fn file_name(self) -> &'static str {
        match self {
            Template::StaffingSummary => "staffing-summary.typ",
            Template::SalarySheet => "salary-sheet.typ",
            Template::PaySlips => "pay-slips.typ",
            Template::BudgetExecution => "budget-execution.typ",
            Template::ContractSocialWork => "contract-social-work.typ",
            Template::ContractAssistantPosts => "contract-assistant-posts.typ",
            Template::RectificationNotice => "rectification-notice.typ",
        }
    }

    /// Every template, for previews and checks.
    pub const ALL: [Template; 7] = [
        Template::StaffingSummary,
        Template::SalarySheet,
        Template::PaySlips,
        Template::BudgetExecution,
        Template::ContractSocialWork,
        Template::ContractAssistantPosts,
        Template::RectificationNotice,
    ];

    /// The template in file `name` (with or without `.typ`).
    pub fn from_file_name(name: &str) -> Option<Template> {
        let name = name.strip_suffix(".typ").unwrap_or(name);
        Self::ALL.into_iter().find(|t| t.file_name().strip_suffix(".typ") == Some(name))
    }

    /// The template a contract is printed with.
    pub fn for_contract(t: app::domain::contract::ContractTemplate) -> Template {
        match t {
            app::domain::contract::ContractTemplate::SocialWorkServices => Template::ContractSocialWork,
            app::domain::contract::ContractTemplate::AssistantPosts => Template::ContractAssistantPosts,
        }
    }

    pub fn name(self) -> &'static str {
        self.file_name()
    }

    fn embedded(self) -> &'static str {
        match self {
            Template::StaffingSummary => {
                include_str!("../../../contract-templates/staffing-summary.typ")
            }
            Template::SalarySheet => include_str!("../../../contract-templates/salary-sheet.typ"),
            Template::PaySlips => include_str!("../../../contract-templates/pay-slips.typ"),
            Template::BudgetExecution => include_str!("../../../contract-templates/budget-execution.typ"),
            Template::ContractSocialWork => {
                include_str!("../../../contract-templates/contract-social-work.typ")
            }
            Template::ContractAssistantPosts => {
                include_str!("../../../contract-templates/contract-assistant-posts.typ")
            }
            Template::RectificationNotice => {
                include_str!("../../../contract-templates/rectification-notice.typ")
            }
        }
    }
}

/// Demo data to preview `template` with, for the templates that are
/// edited as files (the contracts); `None` for the others.
pub fn preview_data(template: Template) -> Option<serde_json::Value> {
    use app::domain::contract::ContractTemplate;
    match template {
        Template::ContractSocialWork => {
            Some(contract::document_data(&contract::sample(ContractTemplate::SocialWorkServices)))
        }
        Template::ContractAssistantPosts => {
            Some(contract::document_data(&contract::sample(ContractTemplate::AssistantPosts)))
        }
        _ => None,
    }
}

/// Renders `n` documents of `template` from `data`, each with its own
/// number and title (so none is served from another's memo cache), on
/// [`MAX_PARALLEL_RENDERS`] threads. Returns the total time and the median
/// time of one render.
pub fn render_batch(
    engine: &PdfEngine,
    template: Template,
    data: &serde_json::Value,
    n: usize,
    today: NaiveDate,
) -> Result<(std::time::Duration, std::time::Duration), PdfError> {
    let started = std::time::Instant::now();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Result<Vec<std::time::Duration>, PdfError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..MAX_PARALLEL_RENDERS)
            .map(|_| {
                scope.spawn(|| {
                    let mut times = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= n {
                            return Ok(times);
                        }
                        let mut d = data.clone();
                        d["number"] = serde_json::json!(format!("HT-BATCH-{i:04}"));
                        d["title"] = serde_json::json!(format!(
                            "{} 第{}份",
                            d["title"].as_str().unwrap_or_default(),
                            i + 1
                        ));
                        let one = std::time::Instant::now();
                        engine.render_blocking(template, &d, today)?;
                        times.push(one.elapsed());
                    }
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(Err(PdfError::Task))).collect()
    });
    let mut times = Vec::new();
    for r in results {
        times.extend(r?);
    }
    times.sort();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    Ok((started.elapsed(), median))
}

/// Why a document could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "no font with Chinese glyphs found in {dirs}; install one \
         (Debian/Ubuntu: sudo apt-get install fonts-noto-cjk) or point \
         GOUZHU_FONT_DIRS / --font-dir at a folder that holds one"
    )]
    NoCjkFont { dirs: String },
    #[error("template {template} failed to compile: {message}")]
    Compile { template: &'static str, message: String },
    #[error("template {template} could not be read: {message}")]
    Read { template: &'static str, message: String },
    #[error("PDF export of {template} failed: {message}")]
    Export { template: &'static str, message: String },
    #[error("document data could not be encoded: {0}")]
    Data(#[from] serde_json::Error),
    #[error("rendering task failed")]
    Task,
}

/// Fonts and standard library, loaded once and shared by every render.
pub struct PdfEngine {
    fonts: FontStore,
    library: LazyHash<Library>,
    cjk_family: String,
    permits: Arc<tokio::sync::Semaphore>,
    /// Where edited templates are read from, if anywhere.
    templates_dir: Option<PathBuf>,
}

impl std::fmt::Debug for PdfEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfEngine").field("cjk_family", &self.cjk_family).finish()
    }
}

impl PdfEngine {
    /// Scans `font_dirs` and adds Typst's embedded fonts. Fails unless some
    /// font covers Chinese: a document without one would print boxes.
    pub fn load(font_dirs: &[PathBuf]) -> Result<PdfEngine, PdfError> {
        let mut store = FontStore::new();
        for dir in font_dirs {
            store.extend(fonts::scan(dir));
        }
        store.extend(fonts::embedded());
        let cjk_family = choose_cjk_family(store.book(), font_dirs)?;

        let mut inputs = Dict::new();
        inputs.insert("cjk-font".into(), cjk_family.as_str().into_value());
        let library = LazyHash::new(Library::builder().with_inputs(inputs).build());
        Ok(PdfEngine {
            fonts: store,
            library,
            cjk_family,
            permits: Arc::new(tokio::sync::Semaphore::new(MAX_PARALLEL_RENDERS)),
            templates_dir: None,
        })
    }

    /// Reads templates from `dir` where it has them (see the module
    /// documentation).
    pub fn with_templates_dir(mut self, dir: Option<PathBuf>) -> PdfEngine {
        self.templates_dir = dir;
        self
    }

    /// The source of `template`: the templates folder's copy if there is
    /// one, else the one compiled in.
    pub fn template_source(&self, template: Template) -> Result<String, PdfError> {
        if let Some(dir) = &self.templates_dir {
            let path = dir.join(template.file_name());
            if path.is_file() {
                return std::fs::read_to_string(&path)
                    .map_err(|e| PdfError::Read { template: template.file_name(), message: e.to_string() });
            }
        }
        Ok(template.embedded().to_owned())
    }

    /// The font family used for Chinese text.
    pub fn cjk_family(&self) -> &str {
        &self.cjk_family
    }

    /// Typesets `template` with `data` as its `data.json`, dated `today`.
    /// Blocking: call from a blocking thread (see [`PdfEngine::render`]).
    pub fn render_blocking(
        &self,
        template: Template,
        data: &serde_json::Value,
        today: NaiveDate,
    ) -> Result<Vec<u8>, PdfError> {
        let started = std::time::Instant::now();
        let world =
            DocWorld::new(self, template, self.template_source(template)?, serde_json::to_vec(data)?, today);
        let compiled = typst::compile::<typst_layout::PagedDocument>(&world).output;
        let compile_ms = started.elapsed().as_millis() as u64;
        // Evict after every render, successful or not, so memory stays flat.
        let result = match compiled {
            Ok(doc) => {
                let options = typst_pdf::PdfOptions::default();
                let pdf = typst_pdf::pdf(&doc, &options).map_err(|e| PdfError::Export {
                    template: template.file_name(),
                    message: diagnostics(&world, &e),
                });
                tracing::info!(
                    template = template.file_name(),
                    pages = doc.pages().len(),
                    compile_ms,
                    export_ms = started.elapsed().as_millis() as u64 - compile_ms,
                    "document rendered"
                );
                pdf
            }
            Err(e) => {
                Err(PdfError::Compile { template: template.file_name(), message: diagnostics(&world, &e) })
            }
        };
        typst::comemo::evict(CACHE_MAX_AGE);
        result
    }

    /// Typesets off the async runtime, waiting for a free render slot.
    pub async fn render(
        self: &Arc<Self>,
        template: Template,
        data: serde_json::Value,
        today: NaiveDate,
    ) -> Result<Vec<u8>, PdfError> {
        let permit = Arc::clone(&self.permits).acquire_owned().await.map_err(|_| PdfError::Task)?;
        let engine = Arc::clone(self);
        // The permit moves into the render: a client that hangs up does not
        // free the slot while the render still runs.
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            engine.render_blocking(template, &data, today)
        })
        .await
        .map_err(|_| PdfError::Task)?
    }
}

/// Picks the family for Chinese: Noto Sans CJK SC when present (the
/// templates are designed with it), otherwise the first family that covers
/// Chinese.
fn choose_cjk_family(book: &FontBook, dirs: &[PathBuf]) -> Result<String, PdfError> {
    let mut cjk: Vec<String> = book
        .families()
        .filter_map(|(name, mut ids)| {
            ids.any(|i| book.info(i).is_some_and(|info| info.coverage.contains(u32::from(CJK_PROBE))))
                .then(|| name.to_owned())
        })
        .collect();
    if cjk.iter().any(|n| n == PREFERRED_CJK_FAMILY) {
        return Ok(PREFERRED_CJK_FAMILY.to_owned());
    }
    cjk.sort();
    cjk.into_iter().next().ok_or_else(|| PdfError::NoCjkFont {
        dirs: dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", "),
    })
}

/// Typst's messages, each with the line and column it points at in the
/// template (`line 12, column 5: unknown variable: x`).
fn diagnostics(world: &DocWorld<'_>, errors: &[SourceDiagnostic]) -> String {
    use typst::WorldExt;
    errors
        .iter()
        .map(|d| {
            let at = world
                .range(d.span)
                .and_then(|r| world.main.lines().byte_to_line_column(r.start))
                .map(|(line, col)| format!("line {}, column {}: ", line + 1, col + 1))
                .unwrap_or_default();
            format!("{at}{}", d.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The world of one document: its template and its data, nothing else.
struct DocWorld<'a> {
    engine: &'a PdfEngine,
    main: Source,
    data_id: FileId,
    data: Bytes,
    today: NaiveDate,
}

impl<'a> DocWorld<'a> {
    fn new(
        engine: &'a PdfEngine,
        template: Template,
        source: String,
        data: Vec<u8>,
        today: NaiveDate,
    ) -> Self {
        let main_id = project_file(template.file_name());
        DocWorld {
            engine,
            main: Source::new(main_id, source),
            data_id: project_file("data.json"),
            data: Bytes::new(data),
            today,
        }
    }
}

fn project_file(name: &str) -> FileId {
    // Both names are fixed, valid relative paths.
    let vpath = VirtualPath::new(name).unwrap_or_else(|_| unreachable!("fixed file name {name}"));
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.engine.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.engine.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() { Ok(self.main.clone()) } else { Err(not_found(id)) }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.engine.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Datetime::from_ymd(
            self.today.year(),
            u8::try_from(self.today.month()).ok()?,
            u8::try_from(self.today.day()).ok()?,
        )
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(Path::new(&format!("{id:?}")).to_path_buf())
}
