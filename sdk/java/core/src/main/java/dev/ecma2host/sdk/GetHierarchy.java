package dev.ecma2host.sdk;

import dev.ecma2host.ecma2.v1.HierarchyNode;
import java.util.List;

/** ECMA2's IMAExtensible2GetHierarchy. Implement it on your connector class; the SDK announces it in the handshake. */
public interface GetHierarchy extends Ecma2Connector {
    /** GetHierarchy: the children of {@code parent}. */
    List<HierarchyNode> hierarchy(Context ctx, Params params, HierarchyNode parent) throws Exception;
}
