//! Document jobs: long documents (all pay slips of a run) produced in the
//! background with progress the page polls, then downloaded once ready.
//!
//! A job belongs to the user who started it and is found again by its key
//! (what it makes, for whom), so starting the same job twice, or reloading
//! the page, shows the one already under way. Jobs and their files live
//! for [`ssr::KEEP`] after they end; the inputs (computed runs) do not
//! change, so a job lost with a restart is simply started again.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Running,
    Done,
    Failed,
}

/// A job as the page sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobView {
    pub id: String,
    pub status: JobStatus,
    /// Items (people) done, of `total`.
    pub done: u32,
    pub total: u32,
    /// The file's name once done.
    pub file_name: String,
}

/// Where a finished job's file is downloaded.
pub fn download_path(id: &str) -> String {
    crate::policy::paths::JOB_FILE.replace("{id}", id)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::collections::HashMap;
    use std::path::PathBuf;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use super::*;

    /// How long an ended job and its file are kept.
    pub const KEEP: Duration = Duration::from_secs(60 * 60);

    struct Job {
        owner: i64,
        key: String,
        view: JobView,
        path: Option<PathBuf>,
        ended: Option<Instant>,
    }

    /// The jobs of this server. Cheap to clone.
    #[derive(Clone, Default)]
    pub struct Jobs {
        inner: Arc<Mutex<HashMap<String, Job>>>,
    }

    impl std::fmt::Debug for Jobs {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Jobs").finish_non_exhaustive()
        }
    }

    /// A new job's handle, for the code doing the work.
    #[derive(Clone, Debug)]
    pub struct JobHandle {
        jobs: Jobs,
        pub id: String,
    }

    fn new_id() -> String {
        let mut bytes = [0u8; 16];
        // The id is the only thing naming someone's job in a URL: random.
        getrandom::fill(&mut bytes).unwrap_or_else(|_| {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            bytes = nanos.to_le_bytes();
        });
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    impl Jobs {
        fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Job>> {
            self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
        }

        /// The owner's job of `key` (running, or ended and still kept), or
        /// a new one: `Ok` with its handle when the caller must do the
        /// work, `Err` with the existing job's view otherwise.
        pub fn start(&self, owner: i64, key: &str, total: u32) -> Result<JobHandle, JobView> {
            let mut jobs = self.lock();
            let expired: Vec<String> = jobs
                .iter()
                .filter(|(_, j)| j.ended.is_some_and(|e| e.elapsed() > KEEP))
                .map(|(id, _)| id.clone())
                .collect();
            for id in expired {
                if let Some(path) = jobs.remove(&id).and_then(|j| j.path) {
                    let _ = std::fs::remove_file(path);
                }
            }
            if let Some(j) =
                jobs.values().find(|j| j.owner == owner && j.key == key && j.view.status != JobStatus::Failed)
            {
                return Err(j.view.clone());
            }
            let id = new_id();
            let view = JobView {
                id: id.clone(),
                status: JobStatus::Running,
                done: 0,
                total,
                file_name: String::new(),
            };
            jobs.insert(id.clone(), Job { owner, key: key.to_owned(), view, path: None, ended: None });
            Ok(JobHandle { jobs: self.clone(), id })
        }

        /// The owner's job `id`.
        pub fn view(&self, owner: i64, id: &str) -> Option<JobView> {
            self.lock().get(id).filter(|j| j.owner == owner).map(|j| j.view.clone())
        }

        /// The file of the owner's finished job `id`, with its name.
        pub fn file(&self, owner: i64, id: &str) -> Option<(PathBuf, String)> {
            let jobs = self.lock();
            let j = jobs.get(id).filter(|j| j.owner == owner && j.view.status == JobStatus::Done)?;
            Some((j.path.clone()?, j.view.file_name.clone()))
        }
    }

    impl JobHandle {
        fn update(&self, f: impl FnOnce(&mut Job)) {
            if let Some(j) = self.jobs.lock().get_mut(&self.id) {
                f(j);
            }
        }

        pub fn view(&self) -> Option<JobView> {
            self.jobs.lock().get(&self.id).map(|j| j.view.clone())
        }

        pub fn progress(&self, done: u32) {
            self.update(|j| j.view.done = done);
        }

        pub fn finish(&self, path: PathBuf, file_name: String) {
            self.update(|j| {
                j.view.status = JobStatus::Done;
                j.view.done = j.view.total;
                j.view.file_name = file_name;
                j.path = Some(path);
                j.ended = Some(Instant::now());
            });
        }

        pub fn fail(&self) {
            self.update(|j| {
                j.view.status = JobStatus::Failed;
                j.ended = Some(Instant::now());
            });
        }
    }

    /// What produces a run's pay slips, provided by the server (which
    /// holds the typesetting engine).
    pub trait SlipsMaker: Send + Sync {
        /// Starts (or finds) the job making the slips of run `run_id` that
        /// `who` may see.
        fn start(
            &self,
            who: crate::domain::access::Principal,
            run_id: i64,
            locale: crate::i18n::Locale,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<JobView, crate::error::AppError>> + Send + '_>,
        >;
    }

    /// The server's [`SlipsMaker`] and jobs, in the server functions'
    /// context.
    #[derive(Clone)]
    pub struct DocumentJobs {
        pub jobs: Jobs,
        pub slips: Arc<dyn SlipsMaker>,
    }
}
