package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's NoSuchAttributeException: travels as {@code FAULT_KIND_NO_SUCH_ATTRIBUTE_EXCEPTION}. */
public class NoSuchAttributeException extends MetadirectoryServicesException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public NoSuchAttributeException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public NoSuchAttributeException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_NO_SUCH_ATTRIBUTE_EXCEPTION, message, cause);
    }
}
