//! Bounded pools for CPU-heavy work (password hashing, Markdown rendering).
//! Each pool has a fixed set of threads and a short queue: a burst of
//! requests can neither take every core nor, through Argon2's 19 MiB per
//! hash, all memory; past the queue a request gets 503 with `Retry-After`
//! at once instead of waiting without bound.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use crate::error::ApiError;

type Job = Box<dyn FnOnce() + Send + 'static>;

/// Seconds a refused request is asked to wait: the queue drains in well under that.
const RETRY_AFTER_SECONDS: u64 = 1;

pub struct CpuPool {
    /// What the pool does, for the 503's message ("hashing passwords").
    doing: &'static str,
    sender: SyncSender<Job>,
    threads: usize,
    /// Jobs accepted and not yet finished (running or queued).
    pending: Arc<AtomicUsize>,
}

impl CpuPool {
    /// `threads` workers (at least one) and room for `queue` waiting jobs.
    pub fn new(doing: &'static str, threads: usize, queue: usize) -> CpuPool {
        let threads = threads.max(1);
        let (sender, receiver) = sync_channel::<Job>(queue);
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..threads {
            let receiver = Arc::clone(&receiver);
            let spawned = std::thread::Builder::new().name(format!("quorum-cpu-{n}")).spawn(move || work(&receiver));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a worker thread for {doing}");
            }
        }
        CpuPool { doing, sender, threads, pending: Arc::new(AtomicUsize::new(0)) }
    }

    /// One worker per core, as the operating system reports them.
    pub fn per_core(doing: &'static str, queue_per_thread: usize) -> CpuPool {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        CpuPool::new(doing, cores, cores * queue_per_thread)
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Jobs accepted and not yet finished.
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::Relaxed)
    }

    /// Queues `f` for a worker now, and resolves to its outcome; 503 with
    /// `Retry-After` when the queue is full. The future does not borrow the pool.
    pub fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
    ) -> impl std::future::Future<Output = Result<T, ApiError>> + 'static {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let pending = Arc::clone(&self.pending);
        let f = crate::observe::carry_span(f);
        let job: Job = Box::new(move || {
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(f))
                .unwrap_or_else(|_| Err(ApiError::internal("a worker job panicked")));
            pending.fetch_sub(1, Ordering::Relaxed);
            let _ = tx.send(outcome);
        });
        self.pending.fetch_add(1, Ordering::Relaxed);
        let queued = match self.sender.try_send(job) {
            Ok(()) => Ok(rx),
            Err(TrySendError::Full(_)) => {
                self.pending.fetch_sub(1, Ordering::Relaxed);
                Err(ApiError::busy(self.doing, RETRY_AFTER_SECONDS))
            }
            Err(TrySendError::Disconnected(_)) => {
                self.pending.fetch_sub(1, Ordering::Relaxed);
                Err(ApiError::internal(format!("the pool for {} has no workers", self.doing)))
            }
        };
        let doing = self.doing;
        async move {
            match queued {
                Ok(rx) => rx.await.map_err(|_| ApiError::internal(format!("the pool for {doing} lost a job")))?,
                Err(e) => Err(e),
            }
        }
    }
}

fn work(receiver: &Mutex<Receiver<Job>>) {
    loop {
        // The lock is held only while waiting for the next job.
        let job = match receiver.lock() {
            Ok(guard) => guard.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;
    use std::time::Duration;

    #[actix_web::test]
    async fn a_full_queue_answers_busy_at_once() {
        let pool = CpuPool::new("testing", 1, 1);
        let (started, has_started) = channel::<()>();
        let (release, wait) = channel::<()>();
        let wait = Arc::new(Mutex::new(wait));
        let blocker = move |started: Option<std::sync::mpsc::Sender<()>>| {
            let wait = Arc::clone(&wait);
            move || {
                if let Some(started) = started {
                    let _ = started.send(());
                }
                let _ = wait.lock().map(|w| w.recv_timeout(Duration::from_secs(5)));
                Ok(1)
            }
        };
        // One running, one queued, the third refused.
        let first = actix_web::rt::spawn(pool.run(blocker(Some(started))));
        assert!(has_started.recv_timeout(Duration::from_secs(5)).is_ok());
        let second = actix_web::rt::spawn(pool.run(blocker(None)));
        let refused = pool.run(blocker(None)).await.err().map(|e| (e.code, e.retry_after));
        assert_eq!(refused, Some((quorum_types::ErrorCode::ServiceUnavailable, Some(1))));
        let _ = release.send(());
        let _ = release.send(());
        assert_eq!(first.await.ok().and_then(Result::ok), Some(1));
        assert_eq!(second.await.ok().and_then(Result::ok), Some(1));
        assert_eq!(pool.pending(), 0);
    }

    #[actix_web::test]
    async fn a_panicking_job_is_an_error_and_the_worker_survives() {
        let pool = CpuPool::new("testing", 1, 4);
        let failed = pool.run(|| -> Result<(), ApiError> { panic!("boom") }).await;
        assert!(failed.is_err());
        assert_eq!(pool.run(|| Ok(7)).await.ok(), Some(7));
    }
}
