// Per-entry export results for SCIM failures: HTTP status and scimType to MAExportError. Only a
// problem that concerns the whole batch (credentials, an unreachable server) is thrown instead.

import { AccessDeniedException, type CSEntryChange, type CSEntryChangeResult, FailedSearchException, MAExportError, Result, ServerDownException } from "ecma2-sdk";

import { ScimHttpError } from "./http.js";
import { MappingError } from "./mapping.js";

const E = MAExportError;

/** The ECMA2 export error for a SCIM error answer: [code, ECMA2 name]. */
export function exportErrorOf(status: number, scimType: string): [MAExportError, string] {
  switch (scimType) {
    case "uniqueness":
      return [E.MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_EXISTING_OBJECT, "ExportErrorConnectedDirectoryExistingObject"];
    case "invalidValue":
      return [E.MA_EXPORT_ERROR_EXPORT_ERROR_INVALID_ATTRIBUTE_VALUE, "ExportErrorInvalidAttributeValue"];
    case "invalidSyntax":
    case "invalidPath":
    case "invalidFilter":
      return [E.MA_EXPORT_ERROR_EXPORT_ERROR_SYNTAX_VIOLATION, "ExportErrorSyntaxViolation"];
    case "mutability":
    case "tooMany":
    case "noTarget":
      return [E.MA_EXPORT_ERROR_EXPORT_ERROR_CONSTRAINT_VIOLATION, "ExportErrorConstraintViolation"];
  }
  switch (status) {
    case 409:
      return [E.MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_EXISTING_OBJECT, "ExportErrorConnectedDirectoryExistingObject"];
    case 404:
      return [E.MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_MISSING_OBJECT, "ExportErrorConnectedDirectoryMissingObject"];
    case 400:
      return [E.MA_EXPORT_ERROR_EXPORT_ERROR_INVALID_ATTRIBUTE_VALUE, "ExportErrorInvalidAttributeValue"];
    case 403:
      return [E.MA_EXPORT_ERROR_EXPORT_ERROR_PERMISSION_ISSUE, "ExportErrorPermissionIssue"];
    case 412:
      return [E.MA_EXPORT_ERROR_EXPORT_ERROR_AMBIGUOUS_UPDATE, "ExportErrorAmbiguousUpdate"];
    default:
      return [E.MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_ERROR, "ExportErrorConnectedDirectoryError"];
  }
}

/** The result for an entry whose export failed with `error`; rethrows what is not per entry. */
export function resultOfFailure(e: CSEntryChange, error: unknown): CSEntryChangeResult {
  if (error instanceof ScimHttpError) {
    const [code, name] = exportErrorOf(error.status, error.scimType);
    return Result.error(e, code, name, error.message);
  }
  if (error instanceof MappingError) {
    return error.reference
      ? Result.error(e, E.MA_EXPORT_ERROR_EXPORT_ERROR_REFERENCE_ATTRIBUTE_FAILURE, "ExportErrorReferenceAttributeFailure", error.message)
      : Result.error(e, E.MA_EXPORT_ERROR_EXPORT_ERROR_SYNTAX_VIOLATION, "ExportErrorSyntaxViolation", error.message);
  }
  throw error;
}

/** A SCIM failure outside export (discovery, import) as the ECMA2 exception an engine expects. */
export function callFailure(error: unknown): unknown {
  if (!(error instanceof ScimHttpError)) return error;
  if (error.status === 403) return new AccessDeniedException(error.message, { cause: error });
  if (error.status === 429 || error.status >= 500) return new ServerDownException(error.message, { cause: error });
  return new FailedSearchException(error.message, { cause: error });
}

/** Runs `body`, turning SCIM failures into ECMA2 exceptions. */
export async function guard<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw callFailure(error);
  }
}
