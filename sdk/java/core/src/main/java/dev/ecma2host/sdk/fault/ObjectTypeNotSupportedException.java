package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's ObjectTypeNotSupportedException: travels as {@code FAULT_KIND_OBJECT_TYPE_NOT_SUPPORTED_EXCEPTION}. */
public class ObjectTypeNotSupportedException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public ObjectTypeNotSupportedException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public ObjectTypeNotSupportedException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_OBJECT_TYPE_NOT_SUPPORTED_EXCEPTION, message, cause);
    }
}
