package dev.ecma2host.sdk;

import dev.ecma2host.ecma2.v1.MACapabilities;

/** ECMA2's IMAExtensible2GetCapabilities. Implement it on your connector class; the SDK announces it in the handshake. */
public interface GetCapabilities extends Ecma2Connector {
    /** Capabilities. Unset optional fields mean the ECMA2 default, never false. */
    MACapabilities capabilities(Context ctx) throws Exception;
}
