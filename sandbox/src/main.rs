//! conveyor-sandbox: a local HTTP server that behaves like the Conveyor API.

mod admin;
mod app;
mod auth;
mod calendar;
mod cli;
mod error;
mod faults;
mod fixtures;
mod input;
mod paging;
mod ratelimit;
mod routes;
mod server;
mod store;
mod timefmt;
mod webhooks;

use axum::Router;
use clap::Parser;
use std::io::Write;
use std::sync::Arc;

fn fail(message: &str) -> ! {
    eprintln!("conveyor-sandbox: {message}");
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    let cli = cli::Cli::parse();
    let keys_path = cli
        .keys
        .clone()
        .unwrap_or_else(|| cli.fixtures.join("keys.json"));
    let keys = auth::Keys::load(&keys_path).unwrap_or_else(|e| fail(&e));
    let store = fixtures::load(&cli.fixtures).unwrap_or_else(|e| fail(&e));
    let limiter = ratelimit::Limiter::new(cli.rate_limit);
    let mut app = app::App::new(keys, limiter, cli.fault.clone(), cli.quiet, store);
    if let (Some(url), Some(key)) = (cli.webhook_url.clone(), cli.webhook_secret.clone()) {
        app.webhook = Some(webhooks::Config { url, key: key.0 });
    }
    let state = Arc::new(app);

    let router = Router::new().fallback(server::entry).with_state(state);
    let addr = format!("{}:{}", cli.bind, cli.port);
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .unwrap_or_else(|e| fail(&format!("cannot listen on {addr}: {e}")));
    let local = listener
        .local_addr()
        .unwrap_or_else(|e| fail(&format!("no local address: {e}")));
    let host = match local.ip() {
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        std::net::IpAddr::V4(ip) => ip.to_string(),
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "conveyor-sandbox listening on http://{host}:{}",
            local.port()
        );
        let _ = out.flush();
    }
    if let Err(e) = axum::serve(listener, router).await {
        fail(&format!("server error: {e}"));
    }
}
