package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's MetadirectoryServicesException: travels as {@code FAULT_KIND_METADIRECTORY_SERVICES_EXCEPTION}. */
public class MetadirectoryServicesException extends Ecma2Exception {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public MetadirectoryServicesException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public MetadirectoryServicesException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_METADIRECTORY_SERVICES_EXCEPTION, message, cause);
    }

    /** For subclasses: their own kind. */
    protected MetadirectoryServicesException(FaultKind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
