//! The run's partition and selected containers on the command line (`--partition`,
//! `--include`, `--exclude`), as the engine's [`Containers`].

use ecma2_engine::Containers;
use ecma2_proto::pb::Partition;

/// Which partition and containers a run covers.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ScopeArgs {
    /// The partition to run (its DN, as `ecma2 partitions` lists it); default: the connector's
    /// default partition. Watermarks and obsolescence are kept per partition.
    #[arg(long)]
    pub partition: Option<String>,
    /// A container to include (a hierarchy node's DN); repeatable. The deepest selected node
    /// above an object decides; imported objects outside are dropped, and nothing is exported
    /// into an excluded container.
    #[arg(long = "include")]
    pub include: Vec<String>,
    /// A container to exclude (a hierarchy node's DN); repeatable.
    #[arg(long = "exclude")]
    pub exclude: Vec<String>,
}

impl ScopeArgs {
    /// The engine's form.
    pub fn containers(&self) -> Containers {
        Containers {
            partition: self.partition.as_ref().map(|dn| Partition {
                dn: dn.clone(),
                ..Default::default()
            }),
            included: self.include.clone(),
            excluded: self.exclude.clone(),
        }
    }
}
