package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's ObjectAlreadyExistsException: travels as {@code FAULT_KIND_OBJECT_ALREADY_EXISTS_EXCEPTION}. */
public class ObjectAlreadyExistsException extends MetadirectoryServicesException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public ObjectAlreadyExistsException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public ObjectAlreadyExistsException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_OBJECT_ALREADY_EXISTS_EXCEPTION, message, cause);
    }
}
