package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's NoCompatiblePartitionFoundException: travels as {@code FAULT_KIND_NO_COMPATIBLE_PARTITION_FOUND_EXCEPTION}. */
public class NoCompatiblePartitionFoundException extends MetadirectoryServicesException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public NoCompatiblePartitionFoundException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public NoCompatiblePartitionFoundException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_NO_COMPATIBLE_PARTITION_FOUND_EXCEPTION, message, cause);
    }
}
