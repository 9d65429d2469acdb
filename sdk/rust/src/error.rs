//! Connector errors. Each well-known ECMA2 exception is an [`ErrorKind`] (the contract's
//! `FaultKind`) with a constructor here; anything else a connector fails with becomes
//! ExtensibleExtensionException naming its Rust type. Object-level import and export errors are
//! not errors: they are values in the results.

use std::fmt;

use ecma2_proto::pb::{Fault, FaultKind};

/// The ECMA2 exception an [`Error`] stands for.
pub type ErrorKind = FaultKind;

/// A failure of a connector call, reported to the engine as the matching ECMA2 exception.
#[derive(Clone, PartialEq)]
pub struct Error {
    fault: Box<Fault>,
}

/// The result type of every connector method.
pub type Result<T, E = Error> = std::result::Result<T, E>;

macro_rules! constructors {
    ($($(#[$doc:meta])* $fn:ident => $kind:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $fn(message: impl Into<String>) -> Self {
                Self::new(FaultKind::$kind, message)
            }
        )*
    };
}

impl Error {
    /// An error of any well-known kind.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            fault: Box::new(Fault::new(kind, message)),
        }
    }

    constructors! {
        /// ServerDownException: the target cannot be reached at all.
        server_down => ServerDownException;
        /// BadServerCredentialsException: the configured credentials do not work.
        bad_server_credentials => BadServerCredentialsException;
        /// FailedConnectionException: reachable, but the connection failed.
        failed_connection => FailedConnectionException;
        /// DroppedConnectionException: the connection was lost mid-run.
        dropped_connection => DroppedConnectionException;
        /// AccessDeniedException.
        access_denied => AccessDeniedException;
        /// ObjectNotFoundException.
        object_not_found => ObjectNotFoundException;
        /// ObjectTypeNotSupportedException.
        object_type_not_supported => ObjectTypeNotSupportedException;
        /// UnexpectedDataException: the target returned data the connector cannot handle.
        unexpected_data => UnexpectedDataException;
        /// TerminateRunException: stop the run.
        terminate_run => TerminateRunException;
        /// EntryPointNotImplementedException.
        entry_point_not_implemented => EntryPointNotImplementedException;
        /// ExtensibleExtensionException: any other connector failure.
        extensible_extension => ExtensibleExtensionException;
        /// PasswordPolicyViolationException.
        password_policy_violation => PasswordPolicyViolationException;
        /// PasswordIllFormedException.
        password_ill_formed => PasswordIllFormedException;
        /// OldPasswordIncorrectException.
        old_password_incorrect => OldPasswordIncorrectException;
        /// PasswordExtensionException.
        password_extension => PasswordExtensionException;
        /// WarningNoWatermarkException: a delta import without a usable watermark.
        warning_no_watermark => WarningNoWatermarkException;
        /// FailedSearchException.
        failed_search => FailedSearchException;
    }

    /// NoSuchParameterException naming the parameter.
    pub fn no_such_parameter(parameter: impl Into<String>, message: impl Into<String>) -> Self {
        let mut e = Self::new(FaultKind::NoSuchParameterException, message);
        e.fault.parameter_name = parameter.into();
        e
    }

    /// NoSuchObjectException naming the DN.
    pub fn no_such_object(dn: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(FaultKind::NoSuchObjectException, message).with_dn(dn)
    }

    /// ObjectAlreadyExistsException naming the DN.
    pub fn object_already_exists(dn: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(FaultKind::ObjectAlreadyExistsException, message).with_dn(dn)
    }

    /// InvalidDNException naming the DN.
    pub fn invalid_dn(dn: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(FaultKind::InvalidDnException, message).with_dn(dn)
    }

    /// NoSuchAttributeException naming the attribute.
    pub fn no_such_attribute(attribute: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(FaultKind::NoSuchAttributeException, message).with_attribute(attribute)
    }

    /// Wraps any other error as ExtensibleExtensionException, keeping its Rust type name.
    pub fn other<E: std::error::Error>(err: E) -> Self {
        let mut e = Self::new(FaultKind::ExtensibleExtensionException, err.to_string());
        e.fault.foreign_type_name = std::any::type_name::<E>().to_owned();
        e
    }

    /// Sets the DN the error is about.
    pub fn with_dn(mut self, dn: impl Into<String>) -> Self {
        self.fault.dn = dn.into();
        self
    }

    /// Sets the attribute the error is about.
    pub fn with_attribute(mut self, attribute: impl Into<String>) -> Self {
        self.fault.attribute_name = attribute.into();
        self
    }

    /// The ECMA2 exception kind.
    pub fn kind(&self) -> ErrorKind {
        self.fault.fault_kind()
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.fault.message
    }

    /// The contract's fault for this error.
    pub fn into_fault(self) -> Fault {
        *self.fault
    }

    /// Rebuilds an error from a fault (for clients of the SDK's own types).
    pub fn from_fault(fault: Fault) -> Self {
        Self { fault: Box::new(fault) }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind())
            .field("message", &self.fault.message)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.fault.describe())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_errors_keep_their_type_name() {
        let io = std::io::Error::other("disk on fire");
        let e = Error::other(io);
        assert_eq!(e.kind(), FaultKind::ExtensibleExtensionException);
        assert_eq!(e.clone().into_fault().foreign_type_name, "std::io::error::Error");
        assert!(e.to_string().contains("disk on fire"));
    }

    #[test]
    fn constructors_pick_the_kind_and_fields() {
        let e = Error::object_already_exists("CN=a", "taken");
        assert_eq!(e.kind(), FaultKind::ObjectAlreadyExistsException);
        assert_eq!(e.into_fault().dn, "CN=a");
        assert_eq!(Error::server_down("x").kind(), FaultKind::ServerDownException);
    }
}
