package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's FailedSearchException: travels as {@code FAULT_KIND_FAILED_SEARCH_EXCEPTION}. */
public class FailedSearchException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public FailedSearchException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public FailedSearchException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_FAILED_SEARCH_EXCEPTION, message, cause);
    }
}
