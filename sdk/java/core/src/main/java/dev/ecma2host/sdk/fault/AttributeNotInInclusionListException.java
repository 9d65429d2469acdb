package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's AttributeNotInInclusionListException: travels as {@code FAULT_KIND_ATTRIBUTE_NOT_IN_INCLUSION_LIST_EXCEPTION}. */
public class AttributeNotInInclusionListException extends MetadirectoryServicesException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public AttributeNotInInclusionListException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public AttributeNotInInclusionListException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_ATTRIBUTE_NOT_IN_INCLUSION_LIST_EXCEPTION, message, cause);
    }
}
