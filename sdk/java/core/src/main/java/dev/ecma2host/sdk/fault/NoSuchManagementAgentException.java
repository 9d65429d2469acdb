package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's NoSuchManagementAgentException: travels as {@code FAULT_KIND_NO_SUCH_MANAGEMENT_AGENT_EXCEPTION}. */
public class NoSuchManagementAgentException extends MetadirectoryServicesException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public NoSuchManagementAgentException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public NoSuchManagementAgentException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_NO_SUCH_MANAGEMENT_AGENT_EXCEPTION, message, cause);
    }
}
