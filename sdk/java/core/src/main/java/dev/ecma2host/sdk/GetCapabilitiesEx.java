package dev.ecma2host.sdk;

import dev.ecma2host.ecma2.v1.MACapabilities;

/** ECMA2's IMAExtensible2GetCapabilitiesEx. Implement it on your connector class; the SDK announces it in the handshake. */
public interface GetCapabilitiesEx extends Ecma2Connector {
    /** GetCapabilitiesEx: capabilities that depend on the configuration. */
    MACapabilities capabilitiesEx(Context ctx, Params params) throws Exception;
}
