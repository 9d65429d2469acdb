package dev.ecma2host.example;

import dev.ecma2host.ecma2.v1.*;
import dev.ecma2host.sdk.*;
import dev.ecma2host.sdk.fault.BadServerCredentialsException;
import dev.ecma2host.sdk.fault.TerminateRunException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;

/**
 * The Java SDK's example connector: people in an in-memory directory, with full and delta
 * import, export (add, update, delete) and object-level export errors.
 */
public final class ExampleConnector
        implements GetCapabilities, GetParameters, GetSchema, CallImport, CallExport {
    static final String TYPE = "person";
    static final String SEED = "Seed people";
    static final String TOKEN = "Access token";

    private final Directory dir = Directory.SHARED;
    private int pageSize;
    private String after = "";
    private long watermark;
    private boolean delta;

    public static void main(String[] args) {
        ConnectorServer.create("java-example", "0.1.0", ExampleConnector::new).serveAndExit();
    }

    @Override
    public MACapabilities capabilities(Context ctx) {
        return MACapabilities.newBuilder()
                .setDistinguishedNameStyle(MADistinguishedNameStyle.MA_DISTINGUISHED_NAME_STYLE_GENERIC)
                .setExportType(MAExportType.MA_EXPORT_TYPE_ATTRIBUTE_UPDATE)
                .setObjectConfirmation(MAObjectConfirmation.MA_OBJECT_CONFIRMATION_NORMAL)
                .setDeltaImport(true)
                .setSupportPartitions(false)
                .setSupportHierarchy(false)
                .setSupportPassword(false)
                .build();
    }

    @Override
    public List<ConfigParameterDefinition> configParameters(Context ctx, Params params, ConfigParameterPage page) {
        if (page != ConfigParameterPage.CONFIG_PARAMETER_PAGE_CONNECTIVITY) {
            return List.of();
        }
        return List.of(
                Model.parameter(SEED, ConfigParameterType.CONFIG_PARAMETER_TYPE_STRING, "25"),
                Model.parameter(TOKEN, ConfigParameterType.CONFIG_PARAMETER_TYPE_ENCRYPTED_STRING, ""));
    }

    @Override
    public ParameterValidationResult validateConfigParameters(Context ctx, Params params, ConfigParameterPage page) {
        String problem = problem(params);
        return problem == null ? Model.valid() : Model.invalid(problem.substring(0, problem.indexOf(':')), problem);
    }

    /** The first configuration problem, as "parameter: message", or null. */
    static String problem(Params params) {
        String seed = params.get(SEED).orElse("");
        try {
            if (Integer.parseInt(seed.trim()) < 0) {
                return SEED + ": must not be negative, not " + seed;
            }
        } catch (NumberFormatException e) {
            return SEED + ": must be a whole number, not \"" + seed + "\"";
        }
        // The token's value is checked, never shown.
        if (params.contains(TOKEN) && params.get(TOKEN).orElse("").isEmpty()) {
            return TOKEN + ": must not be empty when given";
        }
        return null;
    }

    @Override
    public Schema schema(Context ctx, Params params) {
        return Schema.newBuilder().addTypes(SchemaType.newBuilder().setName(TYPE).setLocked(true)
                .addAttributes(Model.anchor("id", AttributeType.ATTRIBUTE_TYPE_STRING))
                .addAttributes(Model.single("cn", AttributeType.ATTRIBUTE_TYPE_STRING))
                .addAttributes(Model.single("title", AttributeType.ATTRIBUTE_TYPE_STRING))
                .addAttributes(Model.single("mail", AttributeType.ATTRIBUTE_TYPE_STRING)))
                .build();
    }

    @Override
    public int importDefaultPageSize() {
        return 100;
    }

    @Override
    public int importMaxPageSize() {
        return 1000;
    }

    private static void open(Params params) throws BadServerCredentialsException {
        String problem = problem(params);
        if (problem != null) {
            throw new BadServerCredentialsException(problem);
        }
        Directory.SHARED.seed(Integer.parseInt(params.get(SEED).orElse("0").trim()));
    }

    @Override
    public OpenImportConnectionResults openImportConnection(
            Context ctx, Params params, Schema types, OpenImportConnectionRunStep step) throws Exception {
        open(params);
        pageSize = step.getPageSize();
        delta = step.getImportType() == OperationType.OPERATION_TYPE_DELTA;
        if (delta) {
            try {
                watermark = Long.parseLong(step.getCustomData());
            } catch (NumberFormatException e) {
                throw new dev.ecma2host.sdk.fault.WarningNoWatermarkException(
                        "delta import needs the watermark of a full import, not \"" + step.getCustomData() + "\"");
            }
        } else {
            watermark = dir.watermark();
        }
        ctx.log(Level.INFO, "import opened", "delta", delta, "page_size", pageSize);
        return OpenImportConnectionResults.getDefaultInstance();
    }

    static CSEntryChange entry(ObjectModificationType mod, Directory.Person p) {
        return Model.entry(mod, TYPE).dn(Directory.dn(p.cn())).anchor("id", p.id())
                .attr("cn", p.cn()).attr("title", p.title()).attr("mail", p.mail()).build();
    }

    @Override
    public ImportPage importEntries(Context ctx, GetImportEntriesRunStep step) throws TerminateRunException {
        ctx.throwIfCancelled();
        List<CSEntryChange> out = new ArrayList<>();
        if (!delta) {
            List<Directory.Person> people = dir.page(after, pageSize + 1);
            for (Directory.Person p : people.subList(0, Math.min(pageSize, people.size()))) {
                ctx.throwIfCancelled();
                out.add(entry(ObjectModificationType.OBJECT_MODIFICATION_TYPE_ADD, p));
                after = p.id();
            }
            return new ImportPage(out, Long.toString(watermark), people.size() > pageSize);
        }
        List<Directory.Change> changes = dir.changesAfter(watermark, pageSize + 1);
        boolean more = changes.size() > pageSize;
        // The latest change of each object within the page.
        Map<String, Directory.Change> latest = new LinkedHashMap<>();
        for (Directory.Change c : changes.subList(0, Math.min(pageSize, changes.size()))) {
            latest.remove(c.id());
            latest.put(c.id(), c);
            watermark = c.seq();
        }
        for (Directory.Change c : latest.values()) {
            Directory.Person p = dir.get(c.id());
            if (p == null) {
                out.add(Model.entry(ObjectModificationType.OBJECT_MODIFICATION_TYPE_DELETE, TYPE).dn(c.dn())
                        .anchor("id", c.id()).build());
            } else {
                out.add(entry(ObjectModificationType.OBJECT_MODIFICATION_TYPE_REPLACE, p));
            }
        }
        return new ImportPage(out, Long.toString(watermark), more);
    }

    @Override
    public CloseImportConnectionResults closeImportConnection(Context ctx, CloseImportConnectionRunStep step) {
        ctx.log(Level.INFO, "import closed", "reason", step.getReason().name());
        return CloseImportConnectionResults.newBuilder().setCustomData(Long.toString(watermark)).build();
    }

    @Override
    public int exportDefaultPageSize() {
        return 50;
    }

    @Override
    public int exportMaxPageSize() {
        return 500;
    }

    @Override
    public void openExportConnection(Context ctx, Params params, Schema types, OpenExportConnectionRunStep step)
            throws Exception {
        open(params);
    }

    private static String anchorOf(CSEntryChange e) {
        for (AnchorAttribute a : e.getAnchorAttributesList()) {
            if (a.getName().equals("id")) {
                return a.getValue().getStringValue();
            }
        }
        return null;
    }

    @Override
    public PutExportEntriesResults putExportEntries(Context ctx, List<CSEntryChange> entries) {
        PutExportEntriesResults.Builder results = PutExportEntriesResults.newBuilder();
        for (CSEntryChange e : entries) {
            results.addCsEntryChangeResults(export(e));
        }
        return results.build();
    }

    private CSEntryChangeResult export(CSEntryChange e) {
        String id = e.getIdentifier();
        switch (e.getObjectModificationType()) {
            case OBJECT_MODIFICATION_TYPE_ADD -> {
                Map<String, String> attrs = new HashMap<>();
                for (AttributeChange c : e.getAttributeChangesList()) {
                    List<AttributeValue> vs = Model.added(c);
                    if (!vs.isEmpty()) {
                        attrs.put(c.getName(), String.valueOf(Model.javaValue(vs.get(0))));
                    }
                }
                String cn = attrs.getOrDefault("cn", rdn(e.getDn()));
                if (cn == null || cn.isBlank()) {
                    return Model.failure(id, MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_MISSING_PROVISIONING_ATTRIBUTE,
                            "missing-cn", "an added person needs cn");
                }
                synchronized (dir) {
                    if (dir.byCn(cn) != null) {
                        return Model.failure(id,
                                MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_EXISTING_OBJECT,
                                "already-exists", "a person with cn " + cn + " already exists");
                    }
                    String newId = UUID.randomUUID().toString();
                    dir.put(new Directory.Person(newId, cn, attrs.get("title"), attrs.get("mail")));
                    return Model.success(id, Model.anchorValue("id", newId));
                }
            }
            case OBJECT_MODIFICATION_TYPE_UPDATE, OBJECT_MODIFICATION_TYPE_REPLACE -> {
                synchronized (dir) {
                    Directory.Person p = find(e);
                    if (p == null) {
                        return Model.failure(id,
                                MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_MISSING_OBJECT,
                                "no-such-object", "no person " + e.getDn());
                    }
                    String cn = p.cn();
                    String title = e.getObjectModificationType()
                            == ObjectModificationType.OBJECT_MODIFICATION_TYPE_REPLACE ? null : p.title();
                    String mail = e.getObjectModificationType()
                            == ObjectModificationType.OBJECT_MODIFICATION_TYPE_REPLACE ? null : p.mail();
                    for (AttributeChange c : e.getAttributeChangesList()) {
                        List<AttributeValue> vs = Model.added(c);
                        String v = c.getModificationType()
                                == AttributeModificationType.ATTRIBUTE_MODIFICATION_TYPE_DELETE || vs.isEmpty()
                                ? null : String.valueOf(Model.javaValue(vs.get(0)));
                        switch (c.getName()) {
                            case "cn" -> cn = v == null ? cn : v;
                            // A rename: the DN's first value is the cn (the DN is CN=<cn>,OU=people).
                            case "DN" -> cn = v == null ? cn : rdn(v);
                            case "title" -> title = v;
                            case "mail" -> mail = v;
                            default -> {
                                return Model.failure(id,
                                        MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_SYNTAX_VIOLATION,
                                        "no-such-attribute", "person has no attribute " + c.getName());
                            }
                        }
                    }
                    dir.put(new Directory.Person(p.id(), cn, title, mail));
                    return Model.success(id);
                }
            }
            case OBJECT_MODIFICATION_TYPE_DELETE -> {
                synchronized (dir) {
                    Directory.Person p = find(e);
                    if (p == null || !dir.delete(p.id())) {
                        return Model.failure(id,
                                MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_MISSING_OBJECT,
                                "no-such-object", "no person " + e.getDn());
                    }
                    return Model.success(id);
                }
            }
            default -> {
                return Model.failure(id, MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_CUSTOM_CONTINUE_RUN,
                        "unsupported-change", "cannot export " + e.getObjectModificationType());
            }
        }
    }

    private Directory.Person find(CSEntryChange e) {
        String anchor = anchorOf(e);
        if (anchor != null) {
            return dir.get(anchor);
        }
        String cn = rdn(e.getDn());
        return cn == null ? null : dir.byCn(cn);
    }

    /** The value of a DN's first RDN ("CN=Ann,OU=people" gives "Ann"). */
    static String rdn(String dn) {
        int eq = dn.indexOf('=');
        if (eq < 0) {
            return null;
        }
        StringBuilder s = new StringBuilder();
        for (int i = eq + 1; i < dn.length(); i++) {
            char c = dn.charAt(i);
            if (c == '\\' && i + 1 < dn.length()) {
                s.append(dn.charAt(++i));
            } else if (c == ',') {
                break;
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }

    @Override
    public void closeExportConnection(Context ctx, CloseExportConnectionRunStep step) {
        ctx.log(Level.INFO, "export closed", "reason", step.getReason().name());
    }
}
