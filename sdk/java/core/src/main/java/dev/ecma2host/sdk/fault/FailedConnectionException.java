package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's FailedConnectionException: travels as {@code FAULT_KIND_FAILED_CONNECTION_EXCEPTION}. */
public class FailedConnectionException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public FailedConnectionException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public FailedConnectionException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_FAILED_CONNECTION_EXCEPTION, message, cause);
    }
}
