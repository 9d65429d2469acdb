package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's DeclineMappingException: travels as {@code FAULT_KIND_DECLINE_MAPPING_EXCEPTION}. */
public class DeclineMappingException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public DeclineMappingException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public DeclineMappingException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_DECLINE_MAPPING_EXCEPTION, message, cause);
    }
}
