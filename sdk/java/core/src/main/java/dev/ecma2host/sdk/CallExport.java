package dev.ecma2host.sdk;

import dev.ecma2host.ecma2.v1.CSEntryChange;
import dev.ecma2host.ecma2.v1.CloseExportConnectionRunStep;
import dev.ecma2host.ecma2.v1.OpenExportConnectionRunStep;
import dev.ecma2host.ecma2.v1.PutExportEntriesResults;
import dev.ecma2host.ecma2.v1.Schema;
import java.util.List;

/** ECMA2's IMAExtensible2CallExport. Implement it on your connector class; the SDK announces it in the handshake. */
public interface CallExport extends Ecma2Connector {
    /** ExportDefaultPageSize: used when the engine asks for batch size 0. */
    int exportDefaultPageSize();

    /** ExportMaxPageSize: larger batches are refused before open is called. */
    int exportMaxPageSize();

    /** OpenExportConnection. {@code step.getBatchSize()} is the size in force. */
    void openExportConnection(Context ctx, Params params, Schema types, OpenExportConnectionRunStep step)
            throws Exception;

    /**
     * PutExportEntries: one batch. Object-level failures go in the results (one per entry);
     * throwing fails the whole batch.
     */
    PutExportEntriesResults putExportEntries(Context ctx, List<CSEntryChange> entries) throws Exception;

    /** CloseExportConnection: called once per session, whatever happened before. */
    void closeExportConnection(Context ctx, CloseExportConnectionRunStep step) throws Exception;
}
