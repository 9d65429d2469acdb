package dev.ecma2host.example;

import dev.ecma2host.ecma2.v1.*;
import dev.ecma2host.sdk.*;
import java.util.ArrayList;
import java.util.List;

/**
 * A benchmark connector: full import of {@code Objects} generated users, shaped like the demo
 * connector's (about ten attributes and 500 bytes each). ecma2-bench runs it against the same
 * generator written with the Rust SDK, so the ratio of the two is the SDKs' cost.
 * Run it with {@code java -cp ecma2-example.jar dev.ecma2host.example.GeneratorConnector}.
 */
public final class GeneratorConnector implements CallImport {
    static final String MANAGER = "CN=Ada Lovelace,OU=People,DC=demo,DC=example";
    static final int PHOTO = 256;

    private long total;
    private long next = 1;
    private int pageSize;

    public static void main(String[] args) {
        ConnectorServer.create("java-generator", "0.1.0", GeneratorConnector::new).serveAndExit();
    }

    /** User {@code n}, byte for byte what the Rust generator of ecma2-bench makes. */
    static CSEntryChange user(long n) {
        String cn = String.format("gen%07d", n);
        byte[] photo = new byte[PHOTO];
        for (int i = 0; i < PHOTO; i++) {
            photo[i] = (byte) (n * 31 + i);
        }
        return Model.entry(ObjectModificationType.OBJECT_MODIFICATION_TYPE_ADD, "user")
                .dn("CN=" + cn + ",OU=People,DC=demo,DC=example")
                .anchor("id", n)
                .attr("displayName", "Benchmark User " + cn)
                .attr("mail", cn + "@demo.example")
                .attr("employeeNumber", n)
                .attr("enabled", true)
                .attr("title", "Engineer")
                .attr("photo", photo)
                .attr("manager", Model.reference(MANAGER))
                .build();
    }

    @Override
    public int importDefaultPageSize() {
        return 500;
    }

    @Override
    public int importMaxPageSize() {
        return 5000;
    }

    @Override
    public OpenImportConnectionResults openImportConnection(
            Context ctx, Params params, Schema types, OpenImportConnectionRunStep step)
            throws dev.ecma2host.sdk.fault.ExtensibleExtensionException {
        try {
            total = Long.parseLong(params.getOr("Objects", "0").trim());
        } catch (NumberFormatException e) {
            throw new dev.ecma2host.sdk.fault.ExtensibleExtensionException("Objects: not a number");
        }
        pageSize = step.getPageSize();
        return OpenImportConnectionResults.getDefaultInstance();
    }

    @Override
    public ImportPage importEntries(Context ctx, GetImportEntriesRunStep step) throws Exception {
        List<CSEntryChange> out = new ArrayList<>(pageSize);
        while (out.size() < pageSize && next <= total) {
            out.add(user(next++));
        }
        ctx.throwIfCancelled();
        return new ImportPage(out, "", next <= total);
    }

    @Override
    public CloseImportConnectionResults closeImportConnection(Context ctx, CloseImportConnectionRunStep step) {
        return CloseImportConnectionResults.getDefaultInstance();
    }
}
