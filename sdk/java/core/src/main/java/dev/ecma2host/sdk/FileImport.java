package dev.ecma2host.sdk;

import dev.ecma2host.ecma2.v1.Schema;
import dev.ecma2host.ecma2.v1.WriteImportFileResults;
import dev.ecma2host.ecma2.v1.WriteImportFileRunStep;

/** ECMA2's IMAExtensible2FileImport. Implement it on your connector class; the SDK announces it in the handshake. */
public interface FileImport extends Ecma2Connector {
    /** WriteImportFile. */
    WriteImportFileResults writeImportFile(Context ctx, Params params, Schema types, WriteImportFileRunStep step)
            throws Exception;
}
