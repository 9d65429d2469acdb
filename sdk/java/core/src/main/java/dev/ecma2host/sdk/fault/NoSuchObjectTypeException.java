package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's NoSuchObjectTypeException: travels as {@code FAULT_KIND_NO_SUCH_OBJECT_TYPE_EXCEPTION}. */
public class NoSuchObjectTypeException extends MetadirectoryServicesException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public NoSuchObjectTypeException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public NoSuchObjectTypeException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_NO_SUCH_OBJECT_TYPE_EXCEPTION, message, cause);
    }
}
