package dev.ecma2host.sdk;

import dev.ecma2host.ecma2.v1.ReadExportFileRunStep;
import dev.ecma2host.ecma2.v1.Schema;

/** ECMA2's IMAExtensible2FileExport. Implement it on your connector class; the SDK announces it in the handshake. */
public interface FileExport extends Ecma2Connector {
    /** ReadExportFile. */
    void readExportFile(Context ctx, Params params, Schema types, ReadExportFileRunStep step) throws Exception;
}
