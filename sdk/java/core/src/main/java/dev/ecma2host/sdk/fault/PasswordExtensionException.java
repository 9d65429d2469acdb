package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's PasswordExtensionException: travels as {@code FAULT_KIND_PASSWORD_EXTENSION_EXCEPTION}. */
public class PasswordExtensionException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public PasswordExtensionException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public PasswordExtensionException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_PASSWORD_EXTENSION_EXCEPTION, message, cause);
    }
}
