package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's ExtensionException: travels as {@code FAULT_KIND_EXTENSION_EXCEPTION}. */
public class ExtensionException extends Ecma2Exception {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public ExtensionException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public ExtensionException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_EXTENSION_EXCEPTION, message, cause);
    }

    /** For subclasses: their own kind. */
    protected ExtensionException(FaultKind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
