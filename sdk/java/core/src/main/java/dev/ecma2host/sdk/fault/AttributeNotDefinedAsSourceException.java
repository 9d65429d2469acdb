package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's AttributeNotDefinedAsSourceException: travels as {@code FAULT_KIND_ATTRIBUTE_NOT_DEFINED_AS_SOURCE_EXCEPTION}. */
public class AttributeNotDefinedAsSourceException extends MetadirectoryServicesException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public AttributeNotDefinedAsSourceException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public AttributeNotDefinedAsSourceException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_ATTRIBUTE_NOT_DEFINED_AS_SOURCE_EXCEPTION, message, cause);
    }
}
