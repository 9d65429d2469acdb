package dev.ecma2host.sdk;

import dev.ecma2host.ecma2.v1.Partition;
import java.util.List;

/** ECMA2's IMAExtensible2GetPartitions. Implement it on your connector class; the SDK announces it in the handshake. */
public interface GetPartitions extends Ecma2Connector {
    /** GetPartitions. */
    List<Partition> partitions(Context ctx, Params params) throws Exception;
}
