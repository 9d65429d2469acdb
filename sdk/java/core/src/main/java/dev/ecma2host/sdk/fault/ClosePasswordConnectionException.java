package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's ClosePasswordConnectionException: travels as {@code FAULT_KIND_CLOSE_PASSWORD_CONNECTION_EXCEPTION}. */
public class ClosePasswordConnectionException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public ClosePasswordConnectionException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public ClosePasswordConnectionException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_CLOSE_PASSWORD_CONNECTION_EXCEPTION, message, cause);
    }
}
