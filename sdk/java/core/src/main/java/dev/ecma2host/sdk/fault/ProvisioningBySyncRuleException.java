package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's ProvisioningBySyncRuleException: travels as {@code FAULT_KIND_PROVISIONING_BY_SYNC_RULE_EXCEPTION}. */
public class ProvisioningBySyncRuleException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public ProvisioningBySyncRuleException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public ProvisioningBySyncRuleException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_PROVISIONING_BY_SYNC_RULE_EXCEPTION, message, cause);
    }
}
