package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's MissingParentObjectException: travels as {@code FAULT_KIND_MISSING_PARENT_OBJECT_EXCEPTION}. */
public class MissingParentObjectException extends MetadirectoryServicesException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public MissingParentObjectException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public MissingParentObjectException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_MISSING_PARENT_OBJECT_EXCEPTION, message, cause);
    }
}
