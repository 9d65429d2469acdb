// The 42 ECMA2 exceptions as TypeScript error classes, and the one place that maps them to gRPC.
//
// Throw them from connector code as a C# connector throws them:
//
//   throw new ServerDownException("hr database is offline");
//   throw new NoSuchAttributeException("unknown column", { attributeName: "badge" });
//
// Each class extends Ecma2Error, so `err instanceof Ecma2Error` and `err instanceof
// ServerDownException` both work. The status code of each kind is the contract's table
// (docs/protocol.md, "Faults"); faults.ts turns an error into that status with an ecma2.v1.Fault
// in its details.

import { status } from "@grpc/grpc-js";

import { FaultKind } from "./gen/ecma2/v1/fault_pb.js";

/** ECMA2 exception properties carried in a Fault besides the message. */
export interface Ecma2ErrorOptions {
  attributeName?: string;
  parameterName?: string;
  maName?: string;
  dn?: string;
  objectClasses?: string[];
  objectType?: string;
  className?: string;
  /** The inner exception (ECMA2's InnerException); becomes Fault.inner. */
  cause?: unknown;
}

/** The base of every ECMA2 exception. `kind` says which one it is. */
export class Ecma2Error extends Error {
  readonly kind: FaultKind = FaultKind.EXTENSIBLE_EXTENSION_EXCEPTION;
  readonly attributeName: string;
  readonly parameterName: string;
  readonly maName: string;
  readonly dn: string;
  readonly objectClasses: string[];
  readonly objectType: string;
  readonly className: string;

  constructor(message: string, options: Ecma2ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.attributeName = options.attributeName ?? "";
    this.parameterName = options.parameterName ?? "";
    this.maName = options.maName ?? "";
    this.dn = options.dn ?? "";
    this.objectClasses = options.objectClasses ?? [];
    this.objectType = options.objectType ?? "";
    this.className = options.className ?? "";
  }
}

/** ECMA2's MetadirectoryServicesException (FaultKind 1). */
export class MetadirectoryServicesException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.METADIRECTORY_SERVICES_EXCEPTION;
}

/** ECMA2's NoSuchAttributeException (FaultKind 2). */
export class NoSuchAttributeException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.NO_SUCH_ATTRIBUTE_EXCEPTION;
}

/** ECMA2's NoSuchParameterException (FaultKind 3). */
export class NoSuchParameterException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.NO_SUCH_PARAMETER_EXCEPTION;
}

/** ECMA2's NoSuchAttributeInObjectTypeException (FaultKind 4). */
export class NoSuchAttributeInObjectTypeException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.NO_SUCH_ATTRIBUTE_IN_OBJECT_TYPE_EXCEPTION;
}

/** ECMA2's AttributeDoesNotExistOnObjectException (FaultKind 5). */
export class AttributeDoesNotExistOnObjectException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.ATTRIBUTE_DOES_NOT_EXIST_ON_OBJECT_EXCEPTION;
}

/** ECMA2's AttributeNotInInclusionListException (FaultKind 6). */
export class AttributeNotInInclusionListException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.ATTRIBUTE_NOT_IN_INCLUSION_LIST_EXCEPTION;
}

/** ECMA2's AttributeNotPresentException (FaultKind 7). */
export class AttributeNotPresentException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.ATTRIBUTE_NOT_PRESENT_EXCEPTION;
}

/** ECMA2's AttributeNotDefinedAsSourceException (FaultKind 8). */
export class AttributeNotDefinedAsSourceException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.ATTRIBUTE_NOT_DEFINED_AS_SOURCE_EXCEPTION;
}

/** ECMA2's TooManyValuesException (FaultKind 9). */
export class TooManyValuesException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.TOO_MANY_VALUES_EXCEPTION;
}

/** ECMA2's NoCompatiblePartitionFoundException (FaultKind 10). */
export class NoCompatiblePartitionFoundException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.NO_COMPATIBLE_PARTITION_FOUND_EXCEPTION;
}

/** ECMA2's MissingParentObjectException (FaultKind 11). */
export class MissingParentObjectException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.MISSING_PARENT_OBJECT_EXCEPTION;
}

/** ECMA2's ObjectAlreadyExistsException (FaultKind 12). */
export class ObjectAlreadyExistsException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.OBJECT_ALREADY_EXISTS_EXCEPTION;
}

/** ECMA2's NoSuchClassException (FaultKind 13). */
export class NoSuchClassException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.NO_SUCH_CLASS_EXCEPTION;
}

/** ECMA2's NoSuchObjectTypeException (FaultKind 14). */
export class NoSuchObjectTypeException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.NO_SUCH_OBJECT_TYPE_EXCEPTION;
}

/** ECMA2's NoSuchObjectException (FaultKind 15). */
export class NoSuchObjectException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.NO_SUCH_OBJECT_EXCEPTION;
}

/** ECMA2's InvalidDNException (FaultKind 16). */
export class InvalidDNException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.INVALID_DN_EXCEPTION;
}

/** ECMA2's NoSuchManagementAgentException (FaultKind 17). */
export class NoSuchManagementAgentException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.NO_SUCH_MANAGEMENT_AGENT_EXCEPTION;
}

/** ECMA2's ExtensionException (FaultKind 20). */
export class ExtensionException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.EXTENSION_EXCEPTION;
}

/** ECMA2's TerminateRunException (FaultKind 21). */
export class TerminateRunException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.TERMINATE_RUN_EXCEPTION;
}

/** ECMA2's DeclineMappingException (FaultKind 22). */
export class DeclineMappingException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.DECLINE_MAPPING_EXCEPTION;
}

/** ECMA2's UnexpectedDataException (FaultKind 23). */
export class UnexpectedDataException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.UNEXPECTED_DATA_EXCEPTION;
}

/** ECMA2's EntryPointNotImplementedException (FaultKind 24). */
export class EntryPointNotImplementedException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.ENTRY_POINT_NOT_IMPLEMENTED_EXCEPTION;
}

/** ECMA2's OldPasswordIncorrectException (FaultKind 25). */
export class OldPasswordIncorrectException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.OLD_PASSWORD_INCORRECT_EXCEPTION;
}

/** ECMA2's ObjectNotFoundException (FaultKind 26). */
export class ObjectNotFoundException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.OBJECT_NOT_FOUND_EXCEPTION;
}

/** ECMA2's ObjectTypeNotSupportedException (FaultKind 27). */
export class ObjectTypeNotSupportedException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.OBJECT_TYPE_NOT_SUPPORTED_EXCEPTION;
}

/** ECMA2's AccessDeniedException (FaultKind 28). */
export class AccessDeniedException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.ACCESS_DENIED_EXCEPTION;
}

/** ECMA2's PasswordIllFormedException (FaultKind 29). */
export class PasswordIllFormedException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.PASSWORD_ILL_FORMED_EXCEPTION;
}

/** ECMA2's PasswordPolicyViolationException (FaultKind 30). */
export class PasswordPolicyViolationException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.PASSWORD_POLICY_VIOLATION_EXCEPTION;
}

/** ECMA2's BadServerCredentialsException (FaultKind 31). */
export class BadServerCredentialsException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.BAD_SERVER_CREDENTIALS_EXCEPTION;
}

/** ECMA2's ServerDownException (FaultKind 32). */
export class ServerDownException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.SERVER_DOWN_EXCEPTION;
}

/** ECMA2's FailedConnectionException (FaultKind 33). */
export class FailedConnectionException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.FAILED_CONNECTION_EXCEPTION;
}

/** ECMA2's DroppedConnectionException (FaultKind 34). */
export class DroppedConnectionException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.DROPPED_CONNECTION_EXCEPTION;
}

/** ECMA2's WarningNoWatermarkException (FaultKind 35). */
export class WarningNoWatermarkException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.WARNING_NO_WATERMARK_EXCEPTION;
}

/** ECMA2's FailedSearchException (FaultKind 36). */
export class FailedSearchException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.FAILED_SEARCH_EXCEPTION;
}

/** ECMA2's PasswordExtensionException (FaultKind 37). */
export class PasswordExtensionException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.PASSWORD_EXTENSION_EXCEPTION;
}

/** ECMA2's EndConnectionException (FaultKind 38). */
export class EndConnectionException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.END_CONNECTION_EXCEPTION;
}

/** ECMA2's ClosePasswordConnectionException (FaultKind 39). */
export class ClosePasswordConnectionException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.CLOSE_PASSWORD_CONNECTION_EXCEPTION;
}

/** ECMA2's EntryExportException (FaultKind 40). */
export class EntryExportException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.ENTRY_EXPORT_EXCEPTION;
}

/** ECMA2's FatalEntryExportException (FaultKind 41). */
export class FatalEntryExportException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.FATAL_ENTRY_EXPORT_EXCEPTION;
}

/** ECMA2's ExtensibleExtensionException (FaultKind 42). */
export class ExtensibleExtensionException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.EXTENSIBLE_EXTENSION_EXCEPTION;
}

/** ECMA2's FunctionEvaluationException (FaultKind 43). */
export class FunctionEvaluationException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.FUNCTION_EVALUATION_EXCEPTION;
}

/** ECMA2's ProvisioningBySyncRuleException (FaultKind 44). */
export class ProvisioningBySyncRuleException extends Ecma2Error {
  override readonly kind: FaultKind = FaultKind.PROVISIONING_BY_SYNC_RULE_EXCEPTION;
}

/** The gRPC status code the contract fixes for each FaultKind. */
export function codeFor(kind: FaultKind): status {
  switch (kind) {
    case FaultKind.NO_SUCH_ATTRIBUTE_EXCEPTION:
    case FaultKind.NO_SUCH_PARAMETER_EXCEPTION:
    case FaultKind.NO_SUCH_ATTRIBUTE_IN_OBJECT_TYPE_EXCEPTION:
    case FaultKind.ATTRIBUTE_DOES_NOT_EXIST_ON_OBJECT_EXCEPTION:
    case FaultKind.ATTRIBUTE_NOT_IN_INCLUSION_LIST_EXCEPTION:
    case FaultKind.ATTRIBUTE_NOT_PRESENT_EXCEPTION:
    case FaultKind.ATTRIBUTE_NOT_DEFINED_AS_SOURCE_EXCEPTION:
    case FaultKind.NO_SUCH_CLASS_EXCEPTION:
    case FaultKind.NO_SUCH_OBJECT_TYPE_EXCEPTION:
    case FaultKind.NO_SUCH_OBJECT_EXCEPTION:
    case FaultKind.NO_SUCH_MANAGEMENT_AGENT_EXCEPTION:
    case FaultKind.OBJECT_NOT_FOUND_EXCEPTION:
      return status.NOT_FOUND;
    case FaultKind.TOO_MANY_VALUES_EXCEPTION:
    case FaultKind.INVALID_DN_EXCEPTION:
    case FaultKind.OLD_PASSWORD_INCORRECT_EXCEPTION:
    case FaultKind.OBJECT_TYPE_NOT_SUPPORTED_EXCEPTION:
    case FaultKind.PASSWORD_ILL_FORMED_EXCEPTION:
      return status.INVALID_ARGUMENT;
    case FaultKind.NO_COMPATIBLE_PARTITION_FOUND_EXCEPTION:
    case FaultKind.MISSING_PARENT_OBJECT_EXCEPTION:
    case FaultKind.DECLINE_MAPPING_EXCEPTION:
    case FaultKind.UNEXPECTED_DATA_EXCEPTION:
    case FaultKind.PASSWORD_POLICY_VIOLATION_EXCEPTION:
    case FaultKind.BAD_SERVER_CREDENTIALS_EXCEPTION:
    case FaultKind.WARNING_NO_WATERMARK_EXCEPTION:
      return status.FAILED_PRECONDITION;
    case FaultKind.OBJECT_ALREADY_EXISTS_EXCEPTION:
      return status.ALREADY_EXISTS;
    case FaultKind.TERMINATE_RUN_EXCEPTION:
    case FaultKind.FATAL_ENTRY_EXPORT_EXCEPTION:
      return status.ABORTED;
    case FaultKind.ENTRY_POINT_NOT_IMPLEMENTED_EXCEPTION:
      return status.UNIMPLEMENTED;
    case FaultKind.ACCESS_DENIED_EXCEPTION:
      return status.PERMISSION_DENIED;
    case FaultKind.SERVER_DOWN_EXCEPTION:
    case FaultKind.FAILED_CONNECTION_EXCEPTION:
    case FaultKind.DROPPED_CONNECTION_EXCEPTION:
      return status.UNAVAILABLE;
    default:
      return status.INTERNAL;
  }
}

const classes: Record<number, new (message: string, options?: Ecma2ErrorOptions) => Ecma2Error> = {
  [FaultKind.METADIRECTORY_SERVICES_EXCEPTION]: MetadirectoryServicesException,
  [FaultKind.NO_SUCH_ATTRIBUTE_EXCEPTION]: NoSuchAttributeException,
  [FaultKind.NO_SUCH_PARAMETER_EXCEPTION]: NoSuchParameterException,
  [FaultKind.NO_SUCH_ATTRIBUTE_IN_OBJECT_TYPE_EXCEPTION]: NoSuchAttributeInObjectTypeException,
  [FaultKind.ATTRIBUTE_DOES_NOT_EXIST_ON_OBJECT_EXCEPTION]: AttributeDoesNotExistOnObjectException,
  [FaultKind.ATTRIBUTE_NOT_IN_INCLUSION_LIST_EXCEPTION]: AttributeNotInInclusionListException,
  [FaultKind.ATTRIBUTE_NOT_PRESENT_EXCEPTION]: AttributeNotPresentException,
  [FaultKind.ATTRIBUTE_NOT_DEFINED_AS_SOURCE_EXCEPTION]: AttributeNotDefinedAsSourceException,
  [FaultKind.TOO_MANY_VALUES_EXCEPTION]: TooManyValuesException,
  [FaultKind.NO_COMPATIBLE_PARTITION_FOUND_EXCEPTION]: NoCompatiblePartitionFoundException,
  [FaultKind.MISSING_PARENT_OBJECT_EXCEPTION]: MissingParentObjectException,
  [FaultKind.OBJECT_ALREADY_EXISTS_EXCEPTION]: ObjectAlreadyExistsException,
  [FaultKind.NO_SUCH_CLASS_EXCEPTION]: NoSuchClassException,
  [FaultKind.NO_SUCH_OBJECT_TYPE_EXCEPTION]: NoSuchObjectTypeException,
  [FaultKind.NO_SUCH_OBJECT_EXCEPTION]: NoSuchObjectException,
  [FaultKind.INVALID_DN_EXCEPTION]: InvalidDNException,
  [FaultKind.NO_SUCH_MANAGEMENT_AGENT_EXCEPTION]: NoSuchManagementAgentException,
  [FaultKind.EXTENSION_EXCEPTION]: ExtensionException,
  [FaultKind.TERMINATE_RUN_EXCEPTION]: TerminateRunException,
  [FaultKind.DECLINE_MAPPING_EXCEPTION]: DeclineMappingException,
  [FaultKind.UNEXPECTED_DATA_EXCEPTION]: UnexpectedDataException,
  [FaultKind.ENTRY_POINT_NOT_IMPLEMENTED_EXCEPTION]: EntryPointNotImplementedException,
  [FaultKind.OLD_PASSWORD_INCORRECT_EXCEPTION]: OldPasswordIncorrectException,
  [FaultKind.OBJECT_NOT_FOUND_EXCEPTION]: ObjectNotFoundException,
  [FaultKind.OBJECT_TYPE_NOT_SUPPORTED_EXCEPTION]: ObjectTypeNotSupportedException,
  [FaultKind.ACCESS_DENIED_EXCEPTION]: AccessDeniedException,
  [FaultKind.PASSWORD_ILL_FORMED_EXCEPTION]: PasswordIllFormedException,
  [FaultKind.PASSWORD_POLICY_VIOLATION_EXCEPTION]: PasswordPolicyViolationException,
  [FaultKind.BAD_SERVER_CREDENTIALS_EXCEPTION]: BadServerCredentialsException,
  [FaultKind.SERVER_DOWN_EXCEPTION]: ServerDownException,
  [FaultKind.FAILED_CONNECTION_EXCEPTION]: FailedConnectionException,
  [FaultKind.DROPPED_CONNECTION_EXCEPTION]: DroppedConnectionException,
  [FaultKind.WARNING_NO_WATERMARK_EXCEPTION]: WarningNoWatermarkException,
  [FaultKind.FAILED_SEARCH_EXCEPTION]: FailedSearchException,
  [FaultKind.PASSWORD_EXTENSION_EXCEPTION]: PasswordExtensionException,
  [FaultKind.END_CONNECTION_EXCEPTION]: EndConnectionException,
  [FaultKind.CLOSE_PASSWORD_CONNECTION_EXCEPTION]: ClosePasswordConnectionException,
  [FaultKind.ENTRY_EXPORT_EXCEPTION]: EntryExportException,
  [FaultKind.FATAL_ENTRY_EXPORT_EXCEPTION]: FatalEntryExportException,
  [FaultKind.EXTENSIBLE_EXTENSION_EXCEPTION]: ExtensibleExtensionException,
  [FaultKind.FUNCTION_EVALUATION_EXCEPTION]: FunctionEvaluationException,
  [FaultKind.PROVISIONING_BY_SYNC_RULE_EXCEPTION]: ProvisioningBySyncRuleException,
};

/** The error class for a kind; an unknown or unset kind reads as ExtensibleExtensionException. */
export function errorClass(kind: FaultKind): new (message: string, options?: Ecma2ErrorOptions) => Ecma2Error {
  return classes[kind] ?? ExtensibleExtensionException;
}

/** ECMA2's name of a kind (`ServerDownException`). */
export function ecma2Name(kind: FaultKind): string {
  return errorClass(kind).name;
}
