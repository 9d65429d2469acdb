//! Engine authentication: a bearer token kept in a file only its owner can read (mode 0600 on
//! Unix, an owner-only ACL on Windows: see [`crate::platform`]), created on first start. Every engine call must carry `authorization: Bearer <token>`; anything else is
//! UNAUTHENTICATED before it reaches a connector. A call that passes marks its connection as
//! authenticated (a connection that makes none within `engine.auth_timeout` is closed).

use std::path::Path;
use std::sync::Arc;

use tonic::codegen::http;
use tonic::{Request, Status};

use crate::platform;

/// Reads the token file, creating it (owner-only, random token) when missing; an existing file
/// readable by others is narrowed to its owner.
pub fn load_or_create_token(path: &Path) -> std::io::Result<String> {
    if let Ok(text) = std::fs::read_to_string(path) {
        let token = text.trim().to_owned();
        if !token.is_empty() {
            platform::make_private(path)?;
            return Ok(token);
        }
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
    platform::write_private(path, format!("{token}\n").as_bytes())?;
    Ok(token)
}

/// The interceptor checking the engine's token. Shared, not copied: the service stack holding it
/// is cloned for every call, and a `String` here was two allocations per call (issue #18) and
/// a copy of the token on the heap each time.
#[derive(Clone)]
pub struct EngineAuth {
    expected: Arc<str>,
}

impl EngineAuth {
    /// Accepts `Bearer <token>`.
    pub fn new(token: &str) -> Self {
        Self {
            expected: format!("Bearer {token}").into(),
        }
    }
}

impl EngineAuth {
    /// Checks a call's `authorization` header; a call that passes marks its connection as
    /// authenticated.
    pub fn check(&self, headers: &http::HeaderMap, extensions: &http::Extensions) -> Result<(), Status> {
        let given = headers
            .get(http::header::AUTHORIZATION)
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        let expected = self.expected.as_bytes();
        let same = given.len() == expected.len() && given.iter().zip(expected).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0;
        if same {
            if let Some(connection) = ecma2_transport::ConnectionInfo::in_extensions(extensions) {
                connection.authenticated();
            }
            Ok(())
        } else if given.is_empty() {
            Err(Status::unauthenticated(
                "missing engine token: send `authorization: Bearer <token>` (the host's token file)",
            ))
        } else {
            Err(Status::unauthenticated("wrong engine token"))
        }
    }
}

impl tonic::service::Interceptor for EngineAuth {
    fn call(&mut self, request: Request<()>) -> Result<Request<()>, Status> {
        self.check(request.metadata().as_ref(), request.extensions())?;
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic::service::Interceptor;

    #[test]
    fn token_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/engine.token");
        let first = load_or_create_token(&path).unwrap();
        assert!(platform::is_private(&path).unwrap());
        assert_eq!(load_or_create_token(&path).unwrap(), first);
        assert_eq!(first.len(), 64);
    }

    #[test]
    fn only_the_right_bearer_token_passes() {
        let mut auth = EngineAuth::new("abc");
        let mut ok = Request::new(());
        ok.metadata_mut().insert("authorization", "Bearer abc".parse().unwrap());
        assert!(auth.call(ok).is_ok());
        let mut bad = Request::new(());
        bad.metadata_mut()
            .insert("authorization", "Bearer abd".parse().unwrap());
        assert_eq!(auth.call(bad).unwrap_err().code(), tonic::Code::Unauthenticated);
        assert!(
            auth.call(Request::new(()))
                .unwrap_err()
                .message()
                .contains("missing engine token")
        );
    }
}
