//! Faults on the wire: the one place that maps an ECMA2 exception kind to a gRPC status code, and
//! packs a [`Fault`] into (or out of) a status's details as a `google.rpc.Status` holding a
//! `google.protobuf.Any`. Every Rust side (SDK, host, CLI) goes through here, so an engine bridge
//! can re-raise the exact ECMA2 exception type whichever hop raised it.

use bytes::Bytes;
use prost::Message;
use tonic::{Code, Status};

use crate::pb::{Fault, FaultKind};

/// The `Any.type_url` of a packed [`Fault`].
pub const FAULT_TYPE_URL: &str = "type.googleapis.com/ecma2.v1.Fault";

/// `google.rpc.Status`, the standard payload of `grpc-status-details-bin`, as tonic-types
/// declares it.
use tonic_types::pb::Status as RpcStatus;

/// The gRPC status code a fault of this kind travels with. This table is the contract; it is
/// reproduced in docs/protocol.md.
pub fn code_for(kind: FaultKind) -> Code {
    use FaultKind as K;
    match kind {
        K::ServerDownException | K::FailedConnectionException | K::DroppedConnectionException => Code::Unavailable,
        K::EntryPointNotImplementedException => Code::Unimplemented,
        K::AccessDeniedException => Code::PermissionDenied,
        K::NoSuchAttributeException
        | K::NoSuchParameterException
        | K::NoSuchAttributeInObjectTypeException
        | K::AttributeDoesNotExistOnObjectException
        | K::AttributeNotInInclusionListException
        | K::AttributeNotPresentException
        | K::AttributeNotDefinedAsSourceException
        | K::NoSuchClassException
        | K::NoSuchObjectTypeException
        | K::NoSuchObjectException
        | K::NoSuchManagementAgentException
        | K::ObjectNotFoundException => Code::NotFound,
        K::ObjectAlreadyExistsException => Code::AlreadyExists,
        K::TooManyValuesException
        | K::InvalidDnException
        | K::ObjectTypeNotSupportedException
        | K::PasswordIllFormedException
        | K::OldPasswordIncorrectException => Code::InvalidArgument,
        K::BadServerCredentialsException
        | K::NoCompatiblePartitionFoundException
        | K::MissingParentObjectException
        | K::DeclineMappingException
        | K::UnexpectedDataException
        | K::PasswordPolicyViolationException
        | K::WarningNoWatermarkException => Code::FailedPrecondition,
        K::TerminateRunException | K::FatalEntryExportException => Code::Aborted,
        K::Unspecified
        | K::MetadirectoryServicesException
        | K::ExtensionException
        | K::FailedSearchException
        | K::PasswordExtensionException
        | K::EndConnectionException
        | K::ClosePasswordConnectionException
        | K::EntryExportException
        | K::ExtensibleExtensionException
        | K::FunctionEvaluationException
        | K::ProvisioningBySyncRuleException => Code::Internal,
    }
}

/// The ECMA2 class name of a fault kind, such as `ServerDownException`.
pub fn ecma2_name(kind: FaultKind) -> String {
    if kind == FaultKind::Unspecified {
        return ecma2_name(FaultKind::ExtensibleExtensionException);
    }
    let raw = kind.as_str_name().trim_start_matches("FAULT_KIND_");
    raw.split('_')
        .map(|word| match word {
            "DN" => "DN".to_owned(),
            _ => {
                let lower = word.to_ascii_lowercase();
                let mut chars = lower.chars();
                chars
                    .next()
                    .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            }
        })
        .collect()
}

impl Fault {
    /// A fault of `kind` with a message.
    pub fn new(kind: FaultKind, message: impl Into<String>) -> Self {
        Self {
            kind: kind as i32,
            message: message.into(),
            ..Default::default()
        }
    }

    /// The kind, reading unknown values as ExtensibleExtensionException.
    pub fn fault_kind(&self) -> FaultKind {
        match FaultKind::try_from(self.kind) {
            Ok(FaultKind::Unspecified) | Err(_) => FaultKind::ExtensibleExtensionException,
            Ok(kind) => kind,
        }
    }

    /// Names the connector and the call, unless already named.
    pub fn at(mut self, connector: &str, call: &str) -> Self {
        if self.connector.is_empty() {
            self.connector = connector.to_owned();
        }
        if self.call.is_empty() {
            self.call = call.to_owned();
        }
        self
    }

    /// A one-line description naming the exception type, the connector and the call.
    pub fn describe(&self) -> String {
        let mut text = ecma2_name(self.fault_kind());
        if !self.connector.is_empty() || !self.call.is_empty() {
            text.push_str(" from ");
            text.push_str(if self.connector.is_empty() {
                "?"
            } else {
                &self.connector
            });
            if !self.call.is_empty() {
                text.push('.');
                text.push_str(&self.call);
            }
        }
        if !self.message.is_empty() {
            text.push_str(": ");
            text.push_str(&self.message);
        }
        text
    }

    /// Packs the fault into a gRPC status with the code of its kind.
    pub fn into_status(self) -> Status {
        let code = code_for(self.fault_kind());
        let message = self.describe();
        let details = RpcStatus {
            code: code as i32,
            message: message.clone(),
            details: vec![prost_types::Any {
                type_url: FAULT_TYPE_URL.to_owned(),
                value: self.encode_to_vec(),
            }],
        };
        Status::with_details(code, message, Bytes::from(details.encode_to_vec()))
    }

    /// Extracts the fault from a status, if it carries one.
    pub fn from_status(status: &Status) -> Option<Fault> {
        let details = RpcStatus::decode(status.details()).ok()?;
        details
            .details
            .into_iter()
            .find(|any| any.type_url == FAULT_TYPE_URL)
            .and_then(|any| Fault::decode(any.value.as_slice()).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_a_status_with_its_code() {
        for value in 1..=44 {
            let Ok(kind) = FaultKind::try_from(value) else { continue };
            let mut fault = Fault::new(kind, "it broke").at("demo", "GetImportEntries");
            fault.dn = "CN=x".into();
            let status = fault.clone().into_status();
            assert_eq!(status.code(), code_for(kind), "{kind:?}");
            assert_eq!(Fault::from_status(&status), Some(fault));
            assert!(status.message().contains(&ecma2_name(kind)));
        }
    }

    #[test]
    fn names_match_ecma2_spelling() {
        assert_eq!(ecma2_name(FaultKind::ServerDownException), "ServerDownException");
        assert_eq!(ecma2_name(FaultKind::InvalidDnException), "InvalidDNException");
        assert_eq!(
            ecma2_name(FaultKind::NoSuchAttributeInObjectTypeException),
            "NoSuchAttributeInObjectTypeException"
        );
        assert_eq!(ecma2_name(FaultKind::Unspecified), "ExtensibleExtensionException");
    }

    #[test]
    fn a_plain_status_has_no_fault() {
        assert_eq!(Fault::from_status(&Status::not_found("session x")), None);
    }
}
