package dev.ecma2host.sdk;

import dev.ecma2host.ecma2.v1.Schema;

/** ECMA2's IMAExtensible2GetSchema. Implement it on your connector class; the SDK announces it in the handshake. */
public interface GetSchema extends Ecma2Connector {
    /** GetSchema: the object types and their attributes. */
    Schema schema(Context ctx, Params params) throws Exception;
}
