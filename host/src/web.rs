//! gRPC-Web on the engine endpoint: engines without an HTTP/2 client (the .NET Framework bridge
//! loaded into MIM) call the same services as binary gRPC-Web over HTTP/1.1. `tonic-web`
//! translates the framing; this module marks such requests so that the sessions they open are
//! not tied to their connection: an HTTP/1.1 client pools connections without affinity and
//! closes idle ones on its own schedule, so a connection ending says nothing about the engine.
//! Close, the idle timeout and the host's shutdown end those sessions instead.

use std::task::{Context, Poll};

use tonic::body::Body;
use tonic::codegen::http::{self, Version, header};
use tonic::server::NamedService;
use tonic_web::{GrpcWebLayer, GrpcWebService};
use tower::{Layer, Service};

/// Request extension: the call came over gRPC-Web.
#[derive(Debug, Clone, Copy)]
pub struct GrpcWeb;

/// Whether `request` is a gRPC-Web call (by its content type, or by HTTP/1.x, which plain gRPC
/// never uses).
fn is_grpc_web<B>(request: &http::Request<B>) -> bool {
    request.version() < Version::HTTP_2
        || request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/grpc-web"))
}

/// Whether a tonic request was marked as gRPC-Web by [`enable`].
pub fn is_marked<T>(request: &tonic::Request<T>) -> bool {
    request.extensions().get::<GrpcWeb>().is_some()
}

/// Serves `service` to gRPC-Web callers as well as to plain gRPC ones, marking gRPC-Web
/// requests with [`GrpcWeb`] before `tonic-web` rewrites their content type. Per service rather
/// than as a server layer, so the router keeps the plain type the listener serves.
pub fn enable<S>(service: S) -> Web<S> {
    Web {
        inner: GrpcWebLayer::new().layer(service),
    }
}

/// A service reachable over gRPC-Web too; see [`enable`].
#[derive(Debug, Clone)]
pub struct Web<S> {
    inner: GrpcWebService<S>,
}

impl<S: NamedService> NamedService for Web<S> {
    const NAME: &'static str = S::NAME;
}

impl<S> Service<http::Request<Body>> for Web<S>
where
    GrpcWebService<S>: Service<http::Request<Body>>,
{
    type Response = <GrpcWebService<S> as Service<http::Request<Body>>>::Response;
    type Error = <GrpcWebService<S> as Service<http::Request<Body>>>::Error;
    type Future = <GrpcWebService<S> as Service<http::Request<Body>>>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<Body>) -> Self::Future {
        if is_grpc_web(&request) {
            request.extensions_mut().insert(GrpcWeb);
        }
        self.inner.call(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_grpc_web_and_http1_but_not_h2_grpc() {
        let req = |version, ct: &str| {
            http::Request::builder()
                .version(version)
                .header(header::CONTENT_TYPE, ct)
                .body(())
                .unwrap()
        };
        assert!(is_grpc_web(&req(Version::HTTP_11, "application/grpc-web+proto")));
        assert!(is_grpc_web(&req(Version::HTTP_2, "application/grpc-web")));
        assert!(is_grpc_web(&req(Version::HTTP_11, "application/grpc")));
        assert!(!is_grpc_web(&req(Version::HTTP_2, "application/grpc")));
    }
}
