package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's AccessDeniedException: travels as {@code FAULT_KIND_ACCESS_DENIED_EXCEPTION}. */
public class AccessDeniedException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public AccessDeniedException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public AccessDeniedException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_ACCESS_DENIED_EXCEPTION, message, cause);
    }
}
