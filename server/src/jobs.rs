//! The pay-slips job: every slip of a run the user may see, typeset one
//! town at a time (progress after each town) and packed as one PDF per
//! town in a .zip (or the one PDF when there is one town). Files are
//! written to a temporary folder, so memory holds one town's document at a
//! time however large the run.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use app::api::payroll::RunView;
use app::domain::access::Principal;
use app::domain::payroll::{PayrollProblem, RunStatus};
use app::error::AppError;
use app::i18n::Locale;
use app::jobs::JobView;
use app::jobs::ssr::{JobHandle, Jobs, SlipsMaker};

use crate::pdf::payroll::{by_town, slips_data};
use crate::pdf::{PdfEngine, Template};
use crate::routes::payroll_files::{load_view, titles};

/// Where finished jobs' files are kept (removed when the job expires).
pub fn job_dir() -> PathBuf {
    std::env::temp_dir().join(format!("gouzhu-jobs-{}", std::process::id()))
}

pub struct Slips {
    pub db: app::db::Db,
    pub pdf: Arc<PdfEngine>,
    pub jobs: Jobs,
}

impl SlipsMaker for Slips {
    fn start(
        &self,
        who: Principal,
        run_id: i64,
        locale: Locale,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<JobView, AppError>> + Send + '_>> {
        Box::pin(async move {
            let owner = who.user_id;
            let (view, district, _) = load_view(&self.db, who, run_id, None, locale).await?;
            if matches!(view.run.status, RunStatus::Computing | RunStatus::Discarded) {
                return Err(AppError::Payroll(PayrollProblem::WrongState));
            }
            let lang = match locale {
                Locale::ZhCn => "zh",
                Locale::En => "en",
            };
            // A run's lines only change while computing: the version names
            // the content.
            let key = format!("slips:{run_id}:{}:{lang}", view.run.version);
            let total = u32::try_from(view.lines.len()).unwrap_or(u32::MAX);
            match self.jobs.start(owner, &key, total) {
                Err(existing) => Ok(existing),
                Ok(handle) => {
                    let first = handle.view().ok_or(AppError::Internal)?;
                    let pdf = Arc::clone(&self.pdf);
                    tokio::spawn(async move {
                        let started = std::time::Instant::now();
                        let result = make(&handle, &pdf, view, &district, locale).await;
                        crate::metrics::global().job("pay_slips", result.is_ok(), started.elapsed());
                        match result {
                            Ok(()) => tracing::info!(
                                job = %handle.id, run_id, people = total,
                                ms = started.elapsed().as_millis() as u64, "pay slips job done"
                            ),
                            Err(e) => {
                                tracing::error!(job = %handle.id, run_id, error = %e, "pay slips job failed");
                                handle.fail();
                            }
                        }
                    });
                    Ok(first)
                }
            }
        })
    }
}

async fn make(
    handle: &JobHandle,
    pdf: &Arc<PdfEngine>,
    view: RunView,
    district: &str,
    locale: Locale,
) -> anyhow::Result<()> {
    let (_, title) = titles(&view, district, locale);
    let today = app::domain::calendar::china_date(chrono::Utc::now());
    let towns: Vec<(String, RunView)> = by_town(&view, locale)
        .into_iter()
        .map(|(name, lines)| {
            let part =
                RunView { lines: lines.into_iter().cloned().collect(), towns: Vec::new(), ..view.clone() };
            (name, part)
        })
        .collect();
    drop(view);
    let dir = job_dir();
    std::fs::create_dir_all(&dir)?;
    if towns.len() == 1 {
        let (name, part) = &towns[0];
        let bytes = pdf.render(Template::PaySlips, slips_data(&title, district, part, locale), today).await?;
        let path = dir.join(format!("{}.pdf", handle.id));
        std::fs::write(&path, bytes)?;
        handle.finish(path, format!("{title}-{name}.pdf"));
        return Ok(());
    }
    let path = dir.join(format!("{}.zip", handle.id));
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path)?);
    // PDFs are compressed already: stored as they are.
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut done = 0u32;
    for (i, (name, part)) in towns.iter().enumerate() {
        let bytes = pdf.render(Template::PaySlips, slips_data(&title, district, part, locale), today).await?;
        zip.start_file(format!("{:02}-{name}.pdf", i + 1), options)?;
        zip.write_all(&bytes)?;
        done += u32::try_from(part.lines.len()).unwrap_or(0);
        handle.progress(done);
    }
    zip.finish()?;
    handle.finish(path, format!("{title}.zip"));
    Ok(())
}
