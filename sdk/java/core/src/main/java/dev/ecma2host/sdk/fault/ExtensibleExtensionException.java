package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's ExtensibleExtensionException: travels as {@code FAULT_KIND_EXTENSIBLE_EXTENSION_EXCEPTION}. */
public class ExtensibleExtensionException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public ExtensibleExtensionException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public ExtensibleExtensionException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_EXTENSIBLE_EXTENSION_EXCEPTION, message, cause);
    }
}
