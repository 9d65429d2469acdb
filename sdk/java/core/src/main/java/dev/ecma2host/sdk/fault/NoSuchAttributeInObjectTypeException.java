package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's NoSuchAttributeInObjectTypeException: travels as {@code FAULT_KIND_NO_SUCH_ATTRIBUTE_IN_OBJECT_TYPE_EXCEPTION}. */
public class NoSuchAttributeInObjectTypeException extends MetadirectoryServicesException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public NoSuchAttributeInObjectTypeException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public NoSuchAttributeInObjectTypeException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_NO_SUCH_ATTRIBUTE_IN_OBJECT_TYPE_EXCEPTION, message, cause);
    }
}
