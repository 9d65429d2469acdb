package dev.ecma2host.sdk;

import dev.ecma2host.ecma2.v1.CloseImportConnectionResults;
import dev.ecma2host.ecma2.v1.CloseImportConnectionRunStep;
import dev.ecma2host.ecma2.v1.GetImportEntriesRunStep;
import dev.ecma2host.ecma2.v1.OpenImportConnectionResults;
import dev.ecma2host.ecma2.v1.OpenImportConnectionRunStep;
import dev.ecma2host.ecma2.v1.Schema;

/** ECMA2's IMAExtensible2CallImport. Implement it on your connector class; the SDK announces it in the handshake. */
public interface CallImport extends Ecma2Connector {
    /** ImportDefaultPageSize: used when the engine asks for page size 0. */
    int importDefaultPageSize();

    /** ImportMaxPageSize: larger pages are refused before open is called. */
    int importMaxPageSize();

    /**
     * OpenImportConnection. {@code step.getPageSize()} is already the size in force (0 was
     * replaced by the default).
     */
    OpenImportConnectionResults openImportConnection(
            Context ctx, Params params, Schema types, OpenImportConnectionRunStep step) throws Exception;

    /** GetImportEntries: one page, never more entries than the page size. */
    ImportPage importEntries(Context ctx, GetImportEntriesRunStep step) throws Exception;

    /** CloseImportConnection: called once per session, whatever happened before. */
    CloseImportConnectionResults closeImportConnection(Context ctx, CloseImportConnectionRunStep step)
            throws Exception;
}
