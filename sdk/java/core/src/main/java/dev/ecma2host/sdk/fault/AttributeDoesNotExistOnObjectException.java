package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's AttributeDoesNotExistOnObjectException: travels as {@code FAULT_KIND_ATTRIBUTE_DOES_NOT_EXIST_ON_OBJECT_EXCEPTION}. */
public class AttributeDoesNotExistOnObjectException extends MetadirectoryServicesException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public AttributeDoesNotExistOnObjectException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public AttributeDoesNotExistOnObjectException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_ATTRIBUTE_DOES_NOT_EXIST_ON_OBJECT_EXCEPTION, message, cause);
    }
}
