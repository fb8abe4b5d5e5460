//! The command line: one clap-derived type per subcommand and [`dispatch`],
//! which runs one. A subcommand this build leaves out (`demo` without the
//! `sim` feature) says so and exits with [`EXIT_NOT_BUILT`].

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{self, Config, ConfigError};
use crate::store::{self, StoreError};

/// Everything went as asked.
pub const EXIT_OK: u8 = 0;
/// Something failed at run time (a file did not parse, the store refused …).
pub const EXIT_FAILURE: u8 = 1;
/// The configuration is invalid (`EX_CONFIG` from sysexits.h). systemd units
/// list it in `RestartPreventExitStatus=` so a bad config is not restarted in a loop.
pub const EXIT_CONFIG: u8 = 78;
/// The database cannot be created or opened for writing (`EX_CANTCREAT`).
pub const EXIT_CANT_CREATE: u8 = 73;
/// This build leaves the subcommand out: it needs a cargo feature the build
/// turned off (`demo` without `sim`). `EX_UNAVAILABLE` from sysexits.h.
pub const EXIT_NOT_BUILT: u8 = 69;

/// The default configuration path; systemd's `ConfigurationDirectory=ladderd`.
pub const DEFAULT_CONFIG_PATH: &str = "/etc/ladderd/ladderd.toml";

#[derive(Debug, Parser)]
#[command(
    name = "ladderd",
    version,
    about = "A StarCraft II 1v1 ladder that lives in a Discord server",
    long_about = "ladderd runs a StarCraft II 1v1 ladder inside one Discord server: players \
                  queue with a button, are matched by rating in waves, upload their replays, \
                  and ladderd verifies them and keeps ratings and the leaderboard.\n\n\
                  The bot token is read from $DISCORD_TOKEN or from \
                  $CREDENTIALS_DIRECTORY/discord-token (systemd LoadCredential), never from \
                  the configuration file."
)]
pub struct Cli {
    /// The configuration file (TOML). See ladderd.example.toml.
    #[arg(long, short = 'c', global = true, value_name = "PATH", env = "LADDERD_CONFIG",
          default_value = DEFAULT_CONFIG_PATH)]
    pub config: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the ladder: the supervisor with its gateway, store and replay workers.
    Run,
    /// Internal: a replay-parser worker, started by the supervisor. Not for humans.
    #[command(hide = true)]
    Worker(WorkerArgs),
    /// Parse .SC2Replay files and print what they contain.
    Parse(ParseArgs),
    /// Run a whole ladder on this machine against a local Discord simulator.
    Demo(DemoArgs),
    /// Run the local Discord simulator alone, for trying `ladderd run` (and
    /// its systemd unit) before pointing it at Discord; prints the settings.
    Sim(SimArgs),
    /// Measure a named scenario against the local Discord simulator and print
    /// a table (BENCHMARKS.md): memory, uploads.
    Bench(BenchArgs),
    /// Validate the configuration without connecting anywhere and print what would be used.
    CheckConfig(CheckConfigArgs),
    /// Create the database or bring its schema up to date, then exit.
    Migrate,
    /// Write a consistent copy of the database to DEST while the service may be running.
    Backup(BackupArgs),
    /// Print the URL that invites the bot to a server with exactly the
    /// permissions ladderd uses ([discord] application_id).
    InviteUrl,
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// The Unix socket the supervisor listens on for this worker.
    #[arg(long, value_name = "PATH")]
    pub socket: PathBuf,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Print one JSON object per file per line instead of a human-readable block.
    #[arg(long)]
    pub json: bool,
    /// The replay files to parse.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Number of virtual players.
    #[arg(long, default_value_t = 30)]
    pub players: u32,
    /// Simulated ladder minutes of play (compressed only while no match
    /// waits for confirmation; confirm windows run in wall time).
    #[arg(long, default_value_t = 8)]
    pub minutes: u32,
    /// Random seed: the same seed plays the same ladder.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The field test: ladder time is wall time throughout (no compression
    /// between waves), so `--minutes` takes that many real minutes; the
    /// summary adds figures per wave.
    #[arg(long)]
    pub realtime: bool,
    /// Write an HTML page of what one player saw (DMs, lobby, replies only
    /// they saw) to PATH: the player `--transcript-player` names, else the
    /// first who saw a match card.
    #[arg(long, value_name = "PATH")]
    pub transcript: Option<PathBuf>,
    #[arg(long, value_name = "NAME", requires = "transcript")]
    pub transcript_player: Option<String>,
    /// Keep the demo's database at PATH instead of a temporary file.
    #[arg(long, value_name = "PATH")]
    pub keep_db: Option<PathBuf>,
    /// Write the summary as one JSON object to PATH.
    #[arg(long, value_name = "PATH")]
    pub summary_json: Option<PathBuf>,
    /// The replay corpus for the replay rounds (default:
    /// $LADDERD_REPLAY_CORPUS, else ../shared/replays if it exists).
    #[arg(long, value_name = "DIR")]
    pub replays: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// REST and CDN address (loopback only).
    #[arg(long, default_value = "127.0.0.1:47801", value_name = "ADDR")]
    pub http_listen: std::net::SocketAddr,
    /// Gateway (WebSocket) address (loopback only).
    #[arg(long, default_value = "127.0.0.1:47802", value_name = "ADDR")]
    pub gateway_listen: std::net::SocketAddr,
    /// The bot token the simulator accepts.
    #[arg(long, default_value = "sim-token")]
    pub token: String,
    /// Virtual players who sign up, queue, confirm and report, in wall time.
    #[arg(long, default_value_t = 0)]
    pub players: usize,
    /// Each player stops after this many matches (0: never).
    #[arg(long, default_value_t = 0)]
    pub matches: u32,
    /// A .SC2Replay each match's winner uploads; ladderd's verdict is logged.
    #[arg(long, value_name = "FILE")]
    pub replay: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The scenario: `memory` (start-up time and the supervisor's memory
    /// with a big history) or `uploads` (replays through the worker pool).
    /// `handling` (ladderd's time per interaction with that history loaded).
    /// `burst` (one wave of 20 and of 100 matches: requests, 429s, cards).
    /// `web` (the web site under load, and interaction handling meanwhile).
    /// `faults` (a fault mid-wave: what was lost, when service resumed).
    /// `steady` (a ladder hour of play in wall time on that history: requests/s,
    /// 429s, handling, commits, the supervisor's RSS and CPU).
    /// (`web-load` is `web`'s load generator: a spec on stdin, JSON out.)
    #[arg(value_parser = ["memory", "handling", "burst", "uploads", "web", "web-load", "faults", "steady"])]
    pub scenario: String,
    /// memory, handling, web, steady: players in the generated history.
    #[arg(long, default_value_t = 10_000)]
    pub players: usize,
    /// memory, handling, web, steady: finished matches in the generated
    /// history (default 100,000); faults: matches in the wave (default 20).
    #[arg(long)]
    pub matches: Option<usize>,
    /// faults: which faults, comma-separated (default: all).
    #[arg(long, value_delimiter = ',', value_parser = [
        "gateway-drop", "invalid-session", "429-storm", "5xx-storm", "worker-kill", "supervisor-kill",
    ])]
    pub faults: Vec<String>,
    /// faults: how long a 429 or 5xx storm lasts, seconds.
    #[arg(long, default_value_t = 10)]
    pub storm_s: u64,
    /// steady: new members who sign up and play.
    #[arg(long, default_value_t = 1_000)]
    pub active: usize,
    /// steady: wall-clock minutes of play after the sign-ups (a ladder hour).
    #[arg(long, default_value_t = 60.0)]
    pub minutes: f64,
    /// steady: no progress line on stderr.
    #[arg(long)]
    pub quiet: bool,
    /// burst: wave sizes in matches, comma-separated.
    #[arg(long, default_value = "20,100", value_delimiter = ',')]
    pub waves: Vec<usize>,
    /// burst: how long to wait for every player's card, seconds.
    #[arg(long, default_value_t = 120)]
    pub card_wait_s: u64,
    /// handling: guild members acting at once.
    #[arg(long, default_value_t = 200)]
    pub users: usize,
    /// handling: `/queue` + `/leave` rounds per member.
    #[arg(long, default_value_t = 5)]
    pub rounds: usize,
    /// web: concurrent HTTP clients.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// web: seconds per load (at most).
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// web: pairs of handling phases (site idle, site under load).
    #[arg(long, default_value_t = 5)]
    pub repeats: usize,
    /// web: the load generator's CPU priority (`idle`: readers on other
    /// machines; `normal`: competing with the supervisor).
    #[arg(long, default_value = "idle", value_parser = ["idle", "normal"])]
    pub generator: String,
    /// memory, handling: `[store] synchronous` of the supervisor (`normal` or `full`).
    #[arg(long, default_value = "normal", value_parser = ["normal", "full"])]
    pub synchronous: String,
    /// uploads: how many uploads, spread evenly over `--within-s` seconds.
    #[arg(long, default_value_t = 100)]
    pub uploads: usize,
    /// uploads: the window the spread uploads arrive in.
    #[arg(long, default_value_t = 10)]
    pub within_s: u64,
    /// uploads: also measure the full level (every event), the heavy job.
    #[arg(long)]
    pub full: bool,
    /// uploads: the replay corpus (default: $LADDERD_REPLAY_CORPUS, else
    /// ../shared/replays, else tests/fixtures/replays).
    #[arg(long, value_name = "DIR")]
    pub replays: Option<PathBuf>,
    /// memory, steady: run the supervisor under this command for a heap profile
    /// (e.g. "heaptrack -o /tmp/ladderd"); its memory figures are then not ladderd's.
    #[arg(long, value_name = "COMMAND")]
    pub wrap: Option<String>,
    /// Random seed of the generated history.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write the figures as one JSON object to PATH.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckConfigArgs {
    /// The file to check (overrides --config).
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
    /// Also ask Discord (with the token) whether the bot has every permission
    /// ladderd needs in each configured channel; exit 1 naming what is missing.
    #[arg(long)]
    pub online: bool,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where to write the copy. Refuses to overwrite an existing file.
    #[arg(value_name = "DEST")]
    pub dest: PathBuf,
}

/// Why a subcommand failed; each variant knows its exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Token(#[from] crate::config::token::TokenError),
    #[error(transparent)]
    Supervisor(#[from] crate::supervisor::SupervisorError),
    /// No CA certificate loads: TLS to Discord cannot work (and hyper-rustls
    /// would panic building its client).
    #[error(
        "no CA certificates could be loaded from the system{detail}: install the \
         `ca-certificates` package (Debian/Ubuntu: apt-get install ca-certificates)"
    )]
    NoCaCertificates { detail: String },
    /// Anything else: what ladderd was doing, and the error that stopped it
    /// kept as the `source`, so `main` prints the whole chain
    /// ("cannot start the async runtime: <why>: <why that>").
    #[error("{context}")]
    Other {
        context: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Config(_) | CliError::Token(_) | CliError::NoCaCertificates { .. } => {
                EXIT_CONFIG
            }
            CliError::Store(StoreError::NewerSchema { .. } | StoreError::NotLadderd { .. }) => {
                EXIT_CONFIG
            }
            CliError::Store(e) if e.is_cannot_open() => EXIT_CANT_CREATE,
            CliError::Supervisor(crate::supervisor::SupervisorError::DiscordRejected(_)) => {
                EXIT_CONFIG
            }
            CliError::Store(_) | CliError::Supervisor(_) | CliError::Other { .. } => EXIT_FAILURE,
        }
    }
}

impl CliError {
    /// `context` failed because of `source` (kept in the chain).
    pub fn failed(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> CliError {
        CliError::Other {
            context: context.into(),
            source: Some(source.into()),
        }
    }

    /// A refusal with nothing underneath (a bad argument).
    pub fn refused(text: impl Into<String>) -> CliError {
        CliError::Other {
            context: text.into(),
            source: None,
        }
    }
}

/// Runs one subcommand. Errors are returned, not printed, so `main` reports them once.
pub fn dispatch(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::CheckConfig(args) => {
            let path = args.path.unwrap_or(cli.config);
            let config = Config::load(&path)?;
            println!("{}", config.describe(&path));
            if !args.online {
                return Ok(ExitCode::from(EXIT_OK));
            }
            let token = config::DiscordToken::from_env()?;
            check_ca_certificates()?;
            let Some(guild) = config.discord.guild_id else {
                return Err(CliError::refused("--online needs [discord] guild_id"));
            };
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| CliError::failed("cannot start the async runtime", e))?;
            let endpoint = crate::discord::transport::ApiEndpoint {
                proxy: config.discord.api_proxy.clone(),
            };
            let channels = crate::discord::permissions::configured(&config.discord);
            let problems = runtime
                .block_on(crate::discord::permissions::check_online(
                    token.expose(),
                    &endpoint,
                    guild.0,
                    &channels,
                ))
                .map_err(|e| CliError::refused(format!("cannot check permissions: {e}")))?;
            if problems.is_empty() {
                println!(
                    "permissions: the bot can do what ladderd needs in every configured channel"
                );
                return Ok(ExitCode::from(EXIT_OK));
            }
            for p in &problems {
                eprintln!("permissions: {p}");
            }
            Ok(ExitCode::from(EXIT_FAILURE))
        }
        Command::Migrate => {
            let config = Config::load(&cli.config)?;
            crate::logging::init(&config.log);
            let report = store::migrate(&config.store)?;
            println!("{report}");
            Ok(ExitCode::from(EXIT_OK))
        }
        Command::Backup(args) => {
            let config = Config::load(&cli.config)?;
            crate::logging::init(&config.log);
            let pages = store::backup(&config.store.path, &args.dest)?;
            println!(
                "backed up {} to {} ({pages} pages)",
                config.store.path.display(),
                args.dest.display()
            );
            // The replay archive goes beside the copy: `DEST.replays/`.
            let from = crate::replay::archive::dir_for(&config.store.path);
            let to = crate::replay::archive::backup_dir_for(&args.dest);
            let files =
                crate::replay::archive::copy_dir(&from, &to).map_err(|e| CliError::Other {
                    context: format!(
                        "the database is backed up, but copying the replay archive {} to {} failed",
                        from.display(),
                        to.display()
                    ),
                    source: Some(Box::new(e)),
                })?;
            println!(
                "backed up {files} archived replay(s) from {} to {}",
                from.display(),
                to.display()
            );
            Ok(ExitCode::from(EXIT_OK))
        }
        Command::Run => {
            // Start-up checks first, each refusing with the exit code systemd
            // acts on: bad config or missing token (78), an unwritable state
            // directory (73), a database from a newer ladderd (78).
            let config = Config::load(&cli.config)?;
            crate::logging::init(&config.log);
            let token = config::DiscordToken::from_env()?;
            check_ca_certificates()?;
            let store = store::Store::open(&config.store)?;
            tracing::info!(path = %config.store.path.display(), "{}", store.migration);
            store.close();
            run_supervisor(config, cli.config, token)
        }
        Command::Worker(args) => match crate::replay::worker::run(&args.socket) {
            Ok(()) => Ok(ExitCode::from(EXIT_OK)),
            Err(e) if e.is_sandbox() => {
                // Its own code, so the supervisor can name the cause.
                eprintln!("ladderd worker: {e}");
                Ok(ExitCode::from(crate::replay::worker::EXIT_SANDBOX))
            }
            Err(e) => Err(CliError::failed("ladderd worker", e)),
        },
        Command::Parse(args) => {
            // Panics inside s2protocol are caught and reported per file; the
            // default hook would also print each one to stderr.
            crate::replay::quiet_panics();
            let all_ok =
                crate::replay::cli::run(&args.files, args.json, crate::replay::DEFAULT_MAX_BYTES);
            Ok(ExitCode::from(if all_ok { EXIT_OK } else { EXIT_FAILURE }))
        }
        Command::Demo(args) => demo(args),
        Command::Sim(args) => sim(args),
        Command::InviteUrl => {
            let config = Config::load(&cli.config)?;
            let Some(app) = config.discord.application_id else {
                return Err(CliError::refused(format!(
                    "{}: [discord] application_id is not set (developer portal → your \
                     application → General Information → Application ID)",
                    cli.config.display()
                )));
            };
            let rank_roles = config.discord.rank_role_ids.iter().any(Option::is_some);
            println!(
                "{}",
                crate::discord::permissions::invite_url(app.0, rank_roles)
            );
            if rank_roles {
                eprintln!(
                    "with rank roles: after inviting, drag the bot's role above the rank roles \
                     (Server Settings → Roles); Discord lets a bot move only roles below its own"
                );
            }
            Ok(ExitCode::from(EXIT_OK))
        }
        Command::Bench(args) => bench(args),
    }
}

/// `ladderd bench SCENARIO`: prints the table, writes the JSON.
#[cfg(feature = "sim")]
fn bench(args: BenchArgs) -> Result<ExitCode, CliError> {
    use crate::bench::{Scenario, dataset, startup, uploads};
    let exe = std::env::current_exe()
        .map_err(|e| CliError::failed("cannot find ladderd's own binary", e))?;
    let size = dataset::Size {
        players: args.players.max(2),
        matches: args.matches.unwrap_or(100_000),
    };
    let synchronous = if args.synchronous == "full" {
        "full"
    } else {
        "normal"
    };
    let scenario = match args.scenario.as_str() {
        "memory" => Scenario::Memory(startup::StartupOptions {
            size,
            seed: args.seed,
            wrapper: args.wrap,
            synchronous,
            ..crate::bench::memory_defaults(exe)
        }),
        "burst" => Scenario::Burst(crate::bench::burst::BurstOptions {
            waves: args.waves,
            seed: args.seed,
            card_wait: std::time::Duration::from_secs(args.card_wait_s),
        }),
        "web" => Scenario::Web(crate::bench::web::WebOptions {
            size,
            seed: args.seed,
            clients: args.clients.clamp(1, 1024),
            seconds: args.seconds,
            users: args.users.max(1),
            rounds: args.rounds,
            repeats: args.repeats.clamp(1, 100),
            synchronous,
            exe,
            generator: if args.generator == "normal" {
                crate::bench::web::Priority::Normal
            } else {
                crate::bench::web::Priority::Idle
            },
        }),
        "web-load" => {
            let load = crate::bench::web::generate()
                .map_err(|e| CliError::failed("ladderd bench web-load", e))?;
            let json = serde_json::to_string(&load)
                .map_err(|e| CliError::failed("serialising the load", e))?;
            println!("{json}");
            return Ok(ExitCode::from(EXIT_OK));
        }
        "faults" => Scenario::Faults(crate::bench::faults::FaultOptions {
            matches: args.matches.unwrap_or(20).clamp(1, 1_000),
            storm: std::time::Duration::from_secs(args.storm_s.clamp(1, 600)),
            corpus: corpus(args.replays)?,
            faults: if args.faults.is_empty() {
                crate::bench::faults::FAULTS.map(String::from).to_vec()
            } else {
                args.faults
            },
            exe,
            bound: std::time::Duration::from_secs(180),
        }),
        "steady" => Scenario::Steady(crate::bench::steady::SteadyOptions {
            size,
            active: args.active.max(2),
            // At most a day: the run is wall time.
            minutes: args.minutes.clamp(0.0, 1440.0),
            seed: args.seed,
            exe,
            synchronous,
            progress: !args.quiet,
            wrapper: args.wrap,
        }),
        "handling" => Scenario::Handling(crate::bench::handling::HandlingOptions {
            size,
            users: args.users.max(1),
            rounds: args.rounds,
            seed: args.seed,
            synchronous,
        }),
        _ => Scenario::Uploads(uploads::UploadOptions {
            corpus: corpus(args.replays)?,
            uploads: args.uploads.max(1),
            within: std::time::Duration::from_secs(args.within_s),
            workers: vec![1, 2],
            exe,
            full: args.full,
        }),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("ladderd-bench")
        .build()
        .map_err(|e| CliError::failed("cannot start the async runtime", e))?;
    let report = runtime
        .block_on(crate::bench::run(&scenario))
        .map_err(|e| CliError::failed(format!("ladderd bench {}", args.scenario), e))?;
    println!("{}", report.table());
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report)
            .map_err(|e| CliError::failed("serialising the figures", e))?;
        std::fs::write(path, json + "\n")
            .map_err(|e| CliError::failed(format!("writing {}", path.display()), e))?;
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// `--replays`, else the corpus `replay::corpus::locate` finds.
#[cfg(feature = "sim")]
fn corpus(given: Option<PathBuf>) -> Result<PathBuf, CliError> {
    let root = std::env::current_dir()
        .map_err(|e| CliError::failed("cannot read the working directory", e))?;
    given
        .or_else(|| crate::replay::corpus::locate(&root).map(|c| c.dir))
        .ok_or_else(|| CliError::refused("no replay corpus found: pass --replays DIR"))
}

#[cfg(not(feature = "sim"))]
fn bench(_: BenchArgs) -> Result<ExitCode, CliError> {
    not_built(
        "bench",
        "the local Discord simulator, which this build leaves out (feature `sim`)",
    )
}

/// `ladderd demo`: exit 0 only with zero errors and zero 429s.
#[cfg(feature = "sim")]
fn demo(args: DemoArgs) -> Result<ExitCode, CliError> {
    use std::io::IsTerminal;
    if args.players < 2 {
        return Err(CliError::refused("--players must be at least 2"));
    }
    if args.minutes == 0 {
        return Err(CliError::refused("--minutes must be at least 1"));
    }
    let opts = crate::demo::DemoOptions {
        players: args.players as usize,
        minutes: args.minutes,
        seed: args.seed,
        realtime: args.realtime,
        transcript: args.transcript,
        transcript_player: args.transcript_player,
        keep_db: args.keep_db,
        corpus: args.replays.or_else(crate::demo::replays::default_corpus),
        worker_exe: std::env::current_exe()
            .map_err(|e| CliError::failed("cannot find ladderd's own binary", e))?,
        progress: if std::io::stderr().is_terminal() {
            crate::demo::Progress::Line
        } else {
            crate::demo::Progress::Lines
        },
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("ladderd-demo")
        .build()
        .map_err(|e| CliError::failed("cannot start the async runtime", e))?;
    let summary = runtime.block_on(async move {
        let stop = tokio_util::sync::CancellationToken::new();
        let on_signal = stop.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\ninterrupted: stopping the demo…");
                on_signal.cancel();
            }
        });
        crate::demo::run(opts, stop).await
    });
    let summary = summary.map_err(|e| CliError::failed("the demo stopped", e))?;
    println!("{}", summary.table());
    if let Some(path) = &args.summary_json {
        let json = serde_json::to_string_pretty(&summary)
            .map_err(|e| CliError::failed("serialising the summary", e))?;
        std::fs::write(path, json + "\n")
            .map_err(|e| CliError::failed(format!("writing {}", path.display()), e))?;
    }
    if summary.ok() {
        Ok(ExitCode::from(EXIT_OK))
    } else {
        eprintln!(
            "ladderd demo: {} errors, {} HTTP 429s{}",
            summary.errors,
            summary.http_429,
            if summary.stopped_early {
                ", stopped early"
            } else {
                ""
            }
        );
        Ok(ExitCode::from(EXIT_FAILURE))
    }
}

/// `ladderd sim`: the simulator alone until SIGINT/SIGTERM.
#[cfg(feature = "sim")]
fn sim(args: SimArgs) -> Result<ExitCode, CliError> {
    for addr in [args.http_listen, args.gateway_listen] {
        if !addr.ip().is_loopback() {
            return Err(CliError::refused(format!(
                "{addr} is not a loopback address: the simulator is for this machine only"
            )));
        }
    }
    if args.token.is_empty() || args.token.len() > 200 {
        return Err(CliError::refused("--token must be 1..=200 characters"));
    }
    let replay = match &args.replay {
        None => None,
        Some(path) => {
            let meta = std::fs::metadata(path)
                .map_err(|e| CliError::failed(format!("reading {}", path.display()), e))?;
            if !meta.is_file() || meta.len() > 64 * 1024 * 1024 {
                return Err(CliError::refused(format!(
                    "{}: not a regular file of at most 64 MiB",
                    path.display()
                )));
            }
            let bytes = std::fs::read(path)
                .map_err(|e| CliError::failed(format!("reading {}", path.display()), e))?;
            let name = path.file_name().map_or("upload.SC2Replay".into(), |n| {
                n.to_string_lossy().into_owned()
            });
            Some((name, bytes::Bytes::from(bytes)))
        }
    };
    let opts = crate::sim::standalone::StandaloneOptions {
        replay,
        gateway: args.gateway_listen,
        http: args.http_listen,
        token: args.token,
        players: args.players.min(1_000),
        matches_per_player: args.matches,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("ladderd-sim")
        .build()
        .map_err(|e| CliError::failed("cannot start the async runtime", e))?;
    runtime.block_on(async move {
        let stop = tokio_util::sync::CancellationToken::new();
        let on_signal = stop.clone();
        let (reload_tx, _reload_rx) = tokio::sync::mpsc::channel(1);
        crate::ops::signals::spawn(on_signal, reload_tx)
            .map_err(|e| CliError::failed("cannot install signal handlers", e))?;
        crate::sim::standalone::run(opts, stop)
            .await
            .map_err(|e| CliError::failed("the simulator stopped", e))
    })?;
    Ok(ExitCode::from(EXIT_OK))
}

#[cfg(not(feature = "sim"))]
fn sim(_: SimArgs) -> Result<ExitCode, CliError> {
    not_built(
        "sim",
        "the local Discord simulator, which this build leaves out (feature `sim`)",
    )
}

#[cfg(not(feature = "sim"))]
fn demo(_: DemoArgs) -> Result<ExitCode, CliError> {
    not_built(
        "demo",
        "the local Discord simulator, which this build leaves out (feature `sim`)",
    )
}

#[cfg_attr(feature = "sim", allow(dead_code))]
fn not_built(command: &str, what: &str) -> Result<ExitCode, CliError> {
    eprintln!("ladderd {command}: not in this build — it needs {what}.");
    Ok(ExitCode::from(EXIT_NOT_BUILT))
}

/// `ladderd run` after its checks: the runtime, the signals, the supervisor.
/// Each SIGHUP reloads `config_path`, the file `run` was started with.
fn run_supervisor(
    config: Config,
    config_path: PathBuf,
    token: config::DiscordToken,
) -> Result<ExitCode, CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("ladderd")
        .build()
        .map_err(|e| CliError::failed("cannot start the async runtime", e))?;
    runtime.block_on(async move {
        let shutdown = tokio_util::sync::CancellationToken::new();
        let (reload_tx, mut reload_rx) = tokio::sync::mpsc::channel(1);
        crate::ops::signals::spawn(shutdown.clone(), reload_tx)
            .map_err(|e| CliError::failed("cannot install signal handlers", e))?;
        let notifier = crate::ops::notify::Notifier::from_env();
        // Reloads start once the supervisor is up; a SIGHUP during start-up
        // waits in the channel until then.
        // The permission check runs once Discord is connected: an ERROR per
        // channel that lacks something, naming each permission. Not fatal: a
        // server admin can fix it in Discord while ladderd runs.
        let permissions = (
            config.discord.guild_id,
            crate::discord::permissions::configured(&config.discord),
            crate::discord::transport::ApiEndpoint {
                proxy: config.discord.api_proxy.clone(),
            },
            token.expose().to_owned(),
        );
        let on_started = {
            let notifier = notifier.clone();
            move |running: crate::supervisor::Running| {
                let (guild, channels, endpoint, token) = permissions;
                if let Some(guild) = guild {
                    tokio::spawn(async move {
                        match crate::discord::permissions::check_online(
                            &token, &endpoint, guild.0, &channels,
                        )
                        .await
                        {
                            Ok(problems) if problems.is_empty() => {
                                tracing::info!("permissions: ok in every configured channel");
                            }
                            Ok(problems) => {
                                for p in problems {
                                    tracing::error!("permissions: {p}");
                                }
                            }
                            Err(e) => tracing::warn!("cannot check permissions: {e}"),
                        }
                    });
                }
                let reloader = running.reloader;
                tokio::spawn(async move {
                    while reload_rx.recv().await.is_some() {
                        let _ = reloader.on_hangup(&config_path, &notifier).await;
                    }
                });
            }
        };
        let env = crate::supervisor::Environment {
            notifier,
            discord: Some(crate::discord::connect::DiscordRuntime {
                token: token.expose().to_owned(),
                api: crate::discord::transport::ApiEndpoint {
                    proxy: config.discord.api_proxy.clone(),
                },
                gateway_url: config.discord.gateway_url.clone(),
                identify_without_delay: false,
            }),
            worker_exe: Some(worker_exe()),
            ..crate::supervisor::Environment::default()
        };
        match crate::supervisor::run(config, env, shutdown, on_started).await {
            Ok(()) => Ok(ExitCode::from(EXIT_OK)),
            Err(e) => Err(e.into()),
        }
    })
}

/// Refuses to start (78, so systemd does not restart in a loop) when the
/// system has no CA certificate: the HTTPS clients are built with the
/// platform verifier, which reads the same stores (`SSL_CERT_FILE`,
/// `SSL_CERT_DIR`, then the distribution's bundle) and panics on none.
/// Makes `command` (ladderd's executable, or a wrapper already given it)
/// start `ladderd --config <config> run` as a child of a bench or a test,
/// in a known environment: the token in `DISCORD_TOKEN`; no credentials
/// directory, watchdog or `RUST_LOG` inherited from whoever runs the bench
/// or test; systemd's notify socket only at `notify`; stdout discarded.
/// Stderr is the caller's.
pub fn run_child<'c>(
    command: &'c mut std::process::Command,
    config: &std::path::Path,
    token: &str,
    notify: Option<&std::path::Path>,
) -> &'c mut std::process::Command {
    command
        .arg("--config")
        .arg(config)
        .arg("run")
        .env_remove("CREDENTIALS_DIRECTORY")
        .env_remove("WATCHDOG_USEC")
        .env_remove("NOTIFY_SOCKET")
        .env_remove("RUST_LOG")
        .env("DISCORD_TOKEN", token)
        .stdout(std::process::Stdio::null());
    if let Some(path) = notify {
        command.env("NOTIFY_SOCKET", path);
    }
    command
}

pub fn check_ca_certificates() -> Result<(), CliError> {
    let found = rustls_native_certs::load_native_certs();
    if !found.certs.is_empty() {
        return Ok(());
    }
    let detail = match found.errors.first() {
        Some(e) => {
            let mut text = format!(" ({e})");
            text.truncate(300);
            text
        }
        None => String::new(),
    };
    Err(CliError::NoCaCertificates { detail })
}

/// The binary workers run: this one, by the path `/proc/self/exe` resolves
/// to, so `ps` and `systemctl status` show `/usr/bin/ladderd worker …`
/// rather than `/proc/self/exe worker …`. If the file was replaced since
/// (a package upgrade: the link then ends in " (deleted)"), `/proc/self/exe`
/// itself, which still names the running binary; the handshake's protocol
/// check would refuse a mismatched worker either way.
fn worker_exe() -> PathBuf {
    let own = PathBuf::from("/proc/self/exe");
    match std::fs::read_link(&own) {
        Ok(path) if path.is_absolute() && path.is_file() => path,
        _ => own,
    }
}

#[cfg(test)]
mod error_tests {
    use super::*;

    /// `main` prints `{:#}`: every error of the chain, joined by ": ".
    fn chain(e: &CliError) -> Vec<String> {
        std::iter::successors(Some(e as &dyn std::error::Error), |e| e.source())
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_failure_keeps_its_cause_in_the_chain() {
        let cause = std::io::Error::other("no threads left");
        let e = CliError::failed("cannot start the async runtime", cause);
        assert_eq!(
            chain(&e),
            ["cannot start the async runtime", "no threads left"]
        );
        assert_eq!(e.exit_code(), EXIT_FAILURE);
        let refused = CliError::refused("--players must be at least 2");
        assert_eq!(chain(&refused), ["--players must be at least 2"]);
    }
}
