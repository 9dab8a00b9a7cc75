//! `homeward`: the command line. `main` parses the arguments and hands each command to the
//! function that runs it; every such function lives in `cmd::<capability>`.

/// Writes a line to standard output. A reader that went away (`homeward … | head`) ends
/// the program quietly instead of the panic `println!` gives.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

mod cmd;
mod link;
mod names;

use clap::Parser;
use cmd::{Command, Reported, admin, cases, demo, enquiries, export, import, links, log, plans};
use cmd::{commission, protection};
use cmd::{records, register, relay, serve, signed, talks};

/// Runs one command.
async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Demo(args) => demo::run(args).await,
        Command::Serve(args) => serve::run(args).await,
        Command::Openapi => cmd::print_json(&homeward_server::api::openapi()),
        Command::Verify(args) => log::verify(args).await,
        Command::Events(args) => log::events(args).await,
        Command::Party(c) => admin::party(c).await,
        Command::User(c) => admin::user(c).await,
        Command::Token(c) => admin::token(c).await,
        Command::SignIn(c) => admin::sign_in(c).await,
        Command::Rounds(args) => talks::rounds(args).await,
        Command::Commitments(args) => talks::commitments(args).await,
        Command::Round(c) => talks::round(c).await,
        Command::Commitment(c) => talks::commitment(c).await,
        Command::Persons(args) => register::persons(args).await,
        Command::Search(args) => register::search(args).await,
        Command::Import(args) => import::run(args).await,
        Command::Export(args) => export::run(args).await,
        Command::Reconcile(args) => links::reconcile(args).await,
        Command::Review(args) => links::review(args).await,
        Command::Duplicates(args) => links::duplicates(args).await,
        Command::Plan(args) => plans::plan(args).await,
        Command::Stage(c) => plans::stage(c).await,
        Command::SharedPlan(c) => plans::shared_plan(c).await,
        Command::Children(c) => cases::children(c).await,
        Command::Remains(c) => cases::remains(c).await,
        Command::Truces(args) => cases::truces(args).await,
        Command::Key(c) => signed::key(c).await,
        Command::SignList(args) => signed::sign_list(args).await,
        Command::Prove(args) => signed::prove(args).await,
        Command::VerifyProof(args) => signed::verify_proof(args),
        Command::Bundle(c) => signed::bundle(c).await,
        Command::Checkpoint(args) => signed::checkpoint(args).await,
        Command::Peer(c) => relay::peer(c).await,
        Command::Relay(c) => relay::relay(c).await,
        Command::Person(args) => protection::person(args).await,
        Command::Enter(args) => records::enter(args).await,
        Command::Correct(args) => records::correct(args).await,
        Command::History(args) => records::history(args).await,
        Command::Story(args) => records::story(args).await,
        Command::Enquiry(c) => enquiries::enquiry(c).await,
        Command::Commission(c) => commission::commission(c).await,
        Command::Protect(args) => protection::protect(args).await,
        Command::Consent(args) => protection::consent(args).await,
        Command::Restrict(c) => protection::restrict(c).await,
        Command::Erase(c) => protection::erase(c).await,
        Command::Audit(c) => protection::audit(c).await,
        Command::Retention(c) => protection::retention(c).await,
        Command::Link(args) => link::link(args),
        Command::Dedupe(args) => link::dedupe(args),
        Command::Synth(args) => link::synth(args),
        Command::Translit(args) => names::translit(args)?
            .then_some(())
            .ok_or_else(|| Reported.into()),
        Command::Names(c) => names::names(c)?
            .then_some(())
            .ok_or_else(|| Reported.into()),
    }
}

fn main() -> std::process::ExitCode {
    let cli = cmd::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HOMEWARD_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<Reported>().is_some() => std::process::ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(exit_code(&e))
        }
    }
}

/// The exit status of a failure, by its kind: 2 for what the user must change (input,
/// access), 3 for what is missing or collides, 4 for what is not available now, 1 for the
/// rest. Decided once, here.
fn exit_code(e: &anyhow::Error) -> u8 {
    use homeward_core::Error;
    match e.downcast_ref::<Error>() {
        Some(
            Error::Invalid { .. }
            | Error::TooLarge { .. }
            | Error::Unsupported(_)
            | Error::Denied(_)
            | Error::Unauthenticated,
        ) => 2,
        Some(Error::NotFound(_) | Error::Conflict(_) | Error::Collides { .. }) => 3,
        Some(Error::Unavailable(_)) => 4,
        _ => 1,
    }
}
