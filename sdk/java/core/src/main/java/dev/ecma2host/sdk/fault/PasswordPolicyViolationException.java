package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's PasswordPolicyViolationException: travels as {@code FAULT_KIND_PASSWORD_POLICY_VIOLATION_EXCEPTION}. */
public class PasswordPolicyViolationException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public PasswordPolicyViolationException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public PasswordPolicyViolationException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_PASSWORD_POLICY_VIOLATION_EXCEPTION, message, cause);
    }
}
