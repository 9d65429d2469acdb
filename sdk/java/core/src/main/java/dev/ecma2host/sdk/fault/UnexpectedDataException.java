package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's UnexpectedDataException: travels as {@code FAULT_KIND_UNEXPECTED_DATA_EXCEPTION}. */
public class UnexpectedDataException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public UnexpectedDataException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public UnexpectedDataException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_UNEXPECTED_DATA_EXCEPTION, message, cause);
    }
}
