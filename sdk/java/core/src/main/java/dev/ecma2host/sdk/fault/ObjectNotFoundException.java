package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's ObjectNotFoundException: travels as {@code FAULT_KIND_OBJECT_NOT_FOUND_EXCEPTION}. */
public class ObjectNotFoundException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public ObjectNotFoundException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public ObjectNotFoundException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_OBJECT_NOT_FOUND_EXCEPTION, message, cause);
    }
}
