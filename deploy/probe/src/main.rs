//! `ecma2-probe`: asks a server's `grpc.health.v1` once and exits 0 when it answers `SERVING`,
//! 1 otherwise (Docker's `HEALTHCHECK` convention), with the reason on stderr. The deploy images
//! use it for the host's engine port (loopback or a Unix socket, where kubelet `grpc:` probes
//! cannot reach) and for connectors' plain-text health port (`ECMA2_HEALTH_LISTEN`). With `--ca`
//! (and `--cert`/`--key`) it checks a connector's mutual TLS port the way the host dials it,
//! which is how to tell a certificate problem from a connector that is down.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use ecma2_transport::{Address, TlsClient};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// Check a gRPC server's health (grpc.health.v1); exit 0 when it is SERVING, 1 otherwise.
#[derive(Debug, Parser)]
#[command(name = "ecma2-probe", version)]
struct Args {
    /// Where to ask: tcp:HOST:PORT or unix:/path/to.sock.
    address: Address,
    /// The service to ask about; empty means the whole server.
    #[arg(long, default_value = "")]
    service: String,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 3)]
    timeout: u64,
    /// Use TLS, trusting the CA certificates in this PEM file.
    #[arg(long)]
    ca: Option<PathBuf>,
    /// With --ca: present this client certificate (mutual TLS).
    #[arg(long, requires = "ca", requires = "key")]
    cert: Option<PathBuf>,
    /// With --cert: its private key.
    #[arg(long, requires = "cert")]
    key: Option<PathBuf>,
    /// With --ca: the name the server's certificate must carry (default: the address's host).
    #[arg(long, requires = "ca")]
    server_name: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(check(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(reason) => {
            eprintln!("ecma2-probe: {}: {reason}", args.address);
            ExitCode::FAILURE
        }
    }
}

/// One check; `Err` says why the server is not healthy.
async fn check(args: &Args) -> Result<(), String> {
    let tls = match &args.ca {
        Some(ca) => Some(
            TlsClient {
                ca: ca.clone(),
                cert: args.cert.clone(),
                key: args.key.clone(),
                server_name: args.server_name.clone(),
            }
            .load()
            .map_err(|e| e.to_string())?,
        ),
        None => None,
    };
    let ask = async {
        let connection = ecma2_transport::dial(&args.address, tls.as_ref())
            .await
            .map_err(|e| e.to_string())?;
        let response = HealthClient::new(connection.channel)
            .check(HealthCheckRequest {
                service: args.service.clone(),
            })
            .await
            .map_err(|status| format!("{:?}: {}", status.code(), status.message()))?;
        Ok::<_, String>(response.into_inner().status())
    };
    match tokio::time::timeout(Duration::from_secs(args.timeout), ask).await {
        Err(_) => Err(format!("no answer within {}s", args.timeout)),
        Ok(Err(reason)) => Err(reason),
        Ok(Ok(ServingStatus::Serving)) => Ok(()),
        Ok(Ok(status)) => Err(format!("status {}", status.as_str_name())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecma2_transport::Listener;
    use tokio_util::sync::CancellationToken;

    fn args(address: &Address, service: &str) -> Args {
        Args::parse_from([
            "ecma2-probe",
            &address.to_string(),
            "--service",
            service,
            "--timeout",
            "5",
        ])
    }

    #[tokio::test]
    async fn serving_not_serving_unknown_and_absent() {
        let dir = tempfile::tempdir().unwrap();
        let address: Address = format!("unix:{}", dir.path().join("h.sock").display()).parse().unwrap();
        let listener = Listener::bind(&address).await.unwrap();
        let (reporter, service) = tonic_health::server::health_reporter();
        reporter
            .set_service_status("", tonic_health::ServingStatus::Serving)
            .await;
        reporter
            .set_service_status("down", tonic_health::ServingStatus::NotServing)
            .await;
        let router = tonic::transport::Server::builder().add_service(service);
        let stop = CancellationToken::new();
        let server = tokio::spawn(listener.serve(router, stop.clone().cancelled_owned()));

        check(&args(&address, "")).await.unwrap();
        let down = check(&args(&address, "down")).await.unwrap_err();
        assert!(down.contains("NOT_SERVING"), "{down}");
        let unknown = check(&args(&address, "nope")).await.unwrap_err();
        assert!(unknown.contains("NotFound"), "{unknown}");

        stop.cancel();
        server.await.unwrap().unwrap();
        let absent = check(&args(&address, "")).await.unwrap_err();
        assert!(!absent.is_empty());
    }
}
