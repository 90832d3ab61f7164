//! The accept loop: HTTP/1.1 connections served by hyper with a deadline on reading request
//! headers (a client trickling bytes, or idling on a kept-alive connection, is dropped), each
//! request bounded in time, and a shutdown that lets in-flight requests finish within a grace
//! period and then drops what is left.

use axum::extract::connect_info::IntoMakeServiceWithConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::Service;

/// How long each phase of a connection may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// From a connection's readiness for a request to the end of its headers.
    pub header_read: Duration,
    /// From stopping to dropping the connections still open.
    pub shutdown_grace: Duration,
}

/// Serves `app` on `listener` until `stop` fires, then drains within the grace period.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    deadlines: Deadlines,
    stop: tokio::sync::oneshot::Receiver<()>,
) -> std::io::Result<()> {
    let mut make: IntoMakeServiceWithConnectInfo<axum::Router, SocketAddr> =
        app.into_make_service_with_connect_info::<SocketAddr>();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(deadlines.header_read);
    let graceful = GracefulShutdown::new();
    // Every connection's task, so the ones left after the grace period can be dropped.
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors, say: wait a moment rather than spin.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let Ok(service) = make.call(peer).await;
        let stream = super::head_errors::HeadErrors::new(stream);
        let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        connections.spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(deadlines.shutdown_grace, graceful.shutdown()).await.is_err() {
        tracing::warn!(grace = ?deadlines.shutdown_grace, "connections still open after the grace period were dropped");
    }
    connections.abort_all();
    Ok(())
}
