package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's OldPasswordIncorrectException: travels as {@code FAULT_KIND_OLD_PASSWORD_INCORRECT_EXCEPTION}. */
public class OldPasswordIncorrectException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public OldPasswordIncorrectException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public OldPasswordIncorrectException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_OLD_PASSWORD_INCORRECT_EXCEPTION, message, cause);
    }
}
