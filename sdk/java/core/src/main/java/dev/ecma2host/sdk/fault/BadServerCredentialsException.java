package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's BadServerCredentialsException: travels as {@code FAULT_KIND_BAD_SERVER_CREDENTIALS_EXCEPTION}. */
public class BadServerCredentialsException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public BadServerCredentialsException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public BadServerCredentialsException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_BAD_SERVER_CREDENTIALS_EXCEPTION, message, cause);
    }
}
