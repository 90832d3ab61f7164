//! The command line, kept small.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "Specs in, code, migrations and drift reports out.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write migrations and generated/ from the specs (nothing is written if a spec is invalid).
    Generate(GenerateOpts),
    /// Prove specs, generated files, migrations and (with a URL) the live database agree.
    Check(CheckOpts),
    /// Apply pending migrations (advisory lock, checksums, one transaction each).
    Migrate(MigrateOpts),
    /// Build and run the API server (generated routes over the runtime; see its --help for the environment).
    Serve(ServeOpts),
    /// Write specs from a live database's schema (like `prisma db pull`), for a new spec directory.
    Import(ImportOpts),
    /// A new workspace for an existing database: specs imported, code generated, the first
    /// migration recorded as applied there (a baseline; nothing is re-created).
    New(NewOpts),
    /// Write a synthetic spec set (for benchmarks).
    Synth(SynthOpts),
    /// Print a bearer token signed with $JWT_SECRET (for operators, scripts and benchmarks).
    Token(TokenOpts),
}

#[derive(Debug, Args)]
pub struct TokenOpts {
    /// The subject (`sub` claim): the identity's key, e.g. a user's id
    #[arg(long, value_name = "SUBJECT")]
    pub sub: String,
    /// A role (`roles` claim); repeat for several
    #[arg(long = "role", value_name = "ROLE")]
    pub roles: Vec<String>,
    /// Seconds until it expires
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    pub ttl: u64,
}

#[derive(Debug, Args)]
pub struct ServeOpts {
    /// Database to serve [default: $DATABASE_URL]
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Address to listen on [default: $BIND_ADDR, else 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,
    /// Do not apply pending migrations at start-up
    #[arg(long)]
    pub no_migrate: bool,
    /// Build with optimizations (for benchmarks and production-like runs)
    #[arg(long)]
    pub release: bool,
}

#[derive(Debug, Args)]
pub struct Project {
    /// Directory holding the specs [default: model-spec/ under the repository root]
    #[arg(long, value_name = "DIR")]
    pub spec_dir: Option<PathBuf>,
    /// Repository root that migrations/ and generated/ live under [default: this repository]
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GenerateOpts {
    #[command(flatten)]
    pub project: Project,
    /// Write a migration even if it drops tables or columns, narrows types, adds NOT NULL or removes enum values
    #[arg(long)]
    pub allow_data_loss: bool,
    /// Count the rows such changes would touch in this database (none touched: no acknowledgement needed)
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct CheckOpts {
    #[command(flatten)]
    pub project: Project,
    /// Also compare with this live database [default: $DATABASE_URL when set]
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Never read $DATABASE_URL: check specs, generated files and migrations only
    #[arg(long, conflicts_with = "database_url")]
    pub offline: bool,
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Count tables and enum types the specs do not describe as drift
    #[arg(long)]
    pub fail_on_unmanaged: bool,
}

#[derive(Debug, Args)]
pub struct MigrateOpts {
    /// Database to migrate [default: $DATABASE_URL]
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Migrations directory [default: migrations/ under the repository root]
    #[arg(long, value_name = "DIR")]
    pub migrations: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportOpts {
    /// Database to read [default: $DATABASE_URL]
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Spec directory to write (must not exist, or be empty)
    #[arg(long, value_name = "DIR")]
    pub spec_dir: PathBuf,
    /// PostgreSQL schemas to import, comma-separated: the first is the project's, the tables of
    /// the others are entities with `schema:`
    #[arg(long, value_name = "NAME", default_value = "public", value_delimiter = ',')]
    pub schema: Vec<String>,
    /// Only tables whose names match this glob (`*`, `?`) [default: every table of the schema]
    #[arg(long, value_name = "PATTERN")]
    pub tables: Option<String>,
}

#[derive(Debug, Args)]
pub struct NewOpts {
    /// Directory of the new workspace (must not exist, or be empty)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Database to import and baseline [default: $DATABASE_URL]
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// PostgreSQL schemas to import, comma-separated (as for import)
    #[arg(long, value_name = "NAME", default_value = "public", value_delimiter = ',')]
    pub schema: Vec<String>,
    /// Only tables whose names match this glob (as for import)
    #[arg(long, value_name = "PATTERN")]
    pub tables: Option<String>,
}

#[derive(Debug, Args)]
pub struct SynthOpts {
    /// Number of entities
    #[arg(long, default_value_t = 1000)]
    pub entities: usize,
    /// Fields per entity (besides the base mixin's)
    #[arg(long, default_value_t = 15)]
    pub fields: usize,
    /// Spec directory to create (must not exist, or be empty)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}
