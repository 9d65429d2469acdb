package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's InvalidDNException: travels as {@code FAULT_KIND_INVALID_DN_EXCEPTION}. */
public class InvalidDNException extends MetadirectoryServicesException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public InvalidDNException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public InvalidDNException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_INVALID_DN_EXCEPTION, message, cause);
    }
}
