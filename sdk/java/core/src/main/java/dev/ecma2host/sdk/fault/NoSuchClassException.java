package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's NoSuchClassException: travels as {@code FAULT_KIND_NO_SUCH_CLASS_EXCEPTION}. */
public class NoSuchClassException extends MetadirectoryServicesException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public NoSuchClassException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public NoSuchClassException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_NO_SUCH_CLASS_EXCEPTION, message, cause);
    }
}
