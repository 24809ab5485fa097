//! Loads a real data set with `collapse-data` (the paper's transforms, per-class subset,
//! random labels) and hands it to the backend.

use collapse_data::{DatasetName, Split as DataSplit};
use collapse_plugin_api::{DataSet, DataShape, Session, Split};

use crate::error::{Result, TrainError};
use crate::experiment::Experiment;

/// The splits of a loaded data set.
#[derive(Debug)]
pub struct LoadedData {
    /// Training split (after subset and random labels).
    pub train: collapse_data::Dataset,
    /// Test split (none for digits, which has no official split).
    pub test: Option<collapse_data::Dataset>,
}

impl LoadedData {
    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.train.classes()
    }

    /// Shape C×H×W of one image.
    pub fn input_shape(&self) -> [usize; 3] {
        let (c, h, w) = self.train.shape();
        [c, h, w]
    }

    /// `model.augment` for the backend: the paper's padding of 4 filled with what a raw 0
    /// pixel becomes under this data set's normalisation.
    pub fn augment_json(&self) -> serde_json::Value {
        serde_json::json!({"padding": 4, "fill": self.train.padding_fill()})
    }
}

/// Loads the experiment's data set from its data folder.
pub fn load(exp: &Experiment) -> Result<LoadedData> {
    let name: DatasetName = exp.dataset.parse()?;
    let mut train = collapse_data::load(name, &exp.data_dir, DataSplit::Train)?;
    if let Some(m) = exp.subset_per_class {
        train = train.subset_per_class(m)?;
    }
    if exp.random_labels {
        train = train.with_random_labels(exp.seed);
    }
    if let Some(k) = exp.classes {
        if k != train.classes() {
            return Err(TrainError::Config(format!(
                "--classes {k} does not match {}, which has {} classes: drop --classes or set it to {}",
                exp.dataset,
                train.classes(),
                train.classes()
            )));
        }
    }
    let test = match name {
        DatasetName::Digits => None,
        _ => Some(collapse_data::load(name, &exp.data_dir, DataSplit::Test)?),
    };
    Ok(LoadedData { train, test })
}

fn hand_over(session: &mut Session, data: &collapse_data::Dataset, split: Split) -> Result<()> {
    let (channels, height, width) = data.shape();
    let labels: Vec<u32> = data.labels().iter().map(|&l| l as u32).collect();
    session.set_data(&DataSet {
        split,
        shape: DataShape::Images {
            channels,
            height,
            width,
        },
        classes: data.classes(),
        values: data.images(),
        labels: &labels,
    })?;
    Ok(())
}

/// Hands both splits to the session.
pub fn hand_to(session: &mut Session, data: &LoadedData) -> Result<()> {
    hand_over(session, &data.train, Split::Train)?;
    if let Some(test) = &data.test {
        hand_over(session, test, Split::Test)?;
    }
    Ok(())
}
