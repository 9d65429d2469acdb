package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's PasswordIllFormedException: travels as {@code FAULT_KIND_PASSWORD_ILL_FORMED_EXCEPTION}. */
public class PasswordIllFormedException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public PasswordIllFormedException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public PasswordIllFormedException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_PASSWORD_ILL_FORMED_EXCEPTION, message, cause);
    }
}
