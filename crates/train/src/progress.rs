//! Progress reporting: a bar with rate and ETA on a terminal, one plain log line per epoch
//! otherwise (CI logs, pipes), or nothing (tests).

use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use crate::row::EpochRow;

/// How to report progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProgressMode {
    /// A bar when stderr is a terminal, plain lines otherwise.
    #[default]
    Auto,
    /// Plain lines on stderr.
    Plain,
    /// Nothing.
    Silent,
}

/// The reporter of one run.
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    plain: bool,
    total: usize,
    started: Instant,
}

/// The short summary of a row shown after each epoch.
pub fn summary(row: &EpochRow) -> String {
    let mut s = format!(
        "lr {:.3e} loss {:.4} acc {:.4}",
        row.lr, row.train_loss, row.train_acc
    );
    if let Some(t) = row.test_acc {
        s.push_str(&format!(" test_acc {t:.4}"));
    }
    for name in ["nc1", "nc2_w", "nc3", "bias"] {
        if let Some(Some(v)) = row.metrics.get(name) {
            s.push_str(&format!(" {name} {v:.3e}"));
        }
    }
    s
}

impl Progress {
    /// Starts reporting a run of `total` epochs of which `done` are already done.
    pub fn new(mode: ProgressMode, total: usize, done: usize) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let bar = (mode == ProgressMode::Auto && terminal).then(|| {
            let bar = ProgressBar::new(total as u64);
            let style = ProgressStyle::with_template(
                "epoch {pos}/{len} [{bar:30}] {per_sec} ETA {eta} {msg}",
            )
            .expect("static template")
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_position(done as u64);
            bar.reset_eta();
            bar
        });
        let plain = mode == ProgressMode::Plain || (mode == ProgressMode::Auto && !terminal);
        Progress {
            bar,
            plain,
            total,
            started: Instant::now(),
        }
    }

    /// Reports a finished epoch.
    pub fn epoch(&self, row: &EpochRow) {
        let text = summary(row);
        if let Some(bar) = &self.bar {
            bar.set_position(row.epoch as u64);
            bar.set_message(text);
        } else if self.plain {
            eprintln!(
                "epoch {}/{} {} ({:.1} s)",
                row.epoch,
                self.total,
                text,
                self.started.elapsed().as_secs_f64()
            );
        }
    }

    /// A one-off message.
    pub fn note(&self, text: &str) {
        if let Some(bar) = &self.bar {
            bar.println(text);
        } else if self.plain {
            eprintln!("{text}");
        }
    }

    /// Ends the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}
