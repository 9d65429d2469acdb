package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's AttributeNotPresentException: travels as {@code FAULT_KIND_ATTRIBUTE_NOT_PRESENT_EXCEPTION}. */
public class AttributeNotPresentException extends MetadirectoryServicesException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public AttributeNotPresentException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public AttributeNotPresentException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_ATTRIBUTE_NOT_PRESENT_EXCEPTION, message, cause);
    }
}
