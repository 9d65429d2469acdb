package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's TooManyValuesException: travels as {@code FAULT_KIND_TOO_MANY_VALUES_EXCEPTION}. */
public class TooManyValuesException extends MetadirectoryServicesException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public TooManyValuesException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public TooManyValuesException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_TOO_MANY_VALUES_EXCEPTION, message, cause);
    }
}
