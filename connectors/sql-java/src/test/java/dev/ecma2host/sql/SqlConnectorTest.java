package dev.ecma2host.sql;

import static org.junit.jupiter.api.Assertions.*;

import dev.ecma2host.ecma2.v1.*;
import dev.ecma2host.sdk.Context;
import dev.ecma2host.sdk.ImportPage;
import dev.ecma2host.sdk.Model;
import dev.ecma2host.sdk.Params;
import dev.ecma2host.sdk.fault.BadServerCredentialsException;
import dev.ecma2host.sdk.fault.ServerDownException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The SQL connector against a real PostgreSQL (scripts/pg.sh), one fresh database per test. */
class SqlConnectorTest {
    static Postgres pg;
    String url;
    final Context ctx = Context.detached("sql", "test");

    @BeforeAll
    static void cluster() throws Exception {
        pg = Postgres.get();
    }

    @AfterAll
    static void stopCluster() {
        Postgres.stop();
    }

    @BeforeEach
    void database(TestInfo info) throws Exception {
        String name = "t_" + info.getTestMethod().orElseThrow().getName().toLowerCase();
        name = name.length() > 60 ? name.substring(0, 60) : name;
        url = pg.freshDatabase(name);
        sql("INSERT INTO people (display_name, cn, mail, title) SELECT 'Person ' || g, 'p' || g, "
                + "'p' || g || '@example.com', 'Engineer' FROM generate_series(1, 25) g");
        sql("UPDATE people SET manager_id = 1 WHERE id > 1");
        sql("INSERT INTO groups (description, cn) VALUES ('Everyone', 'all'), ('Admins', 'admins')");
        sql("INSERT INTO group_members SELECT 1, id FROM people");
        sql("INSERT INTO group_members VALUES (2, 1), (2, 2)");
    }

    void sql(String statement) throws Exception {
        try (Connection c = conn(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    long count(String query) throws Exception {
        try (Connection c = conn(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    Connection conn() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", pg.user);
        p.setProperty("password", pg.password);
        return DriverManager.getConnection(url, p);
    }

    Params params(String password) {
        List<ConfigParameter> ps = new ArrayList<>();
        ps.add(ConfigParameter.newBuilder().setName(SqlConfig.URL).setValue(url).build());
        ps.add(ConfigParameter.newBuilder().setName(SqlConfig.USER).setValue(pg.user).build());
        ps.add(ConfigParameter.newBuilder().setName(SqlConfig.PASSWORD).setIsEncrypted(true)
                .setSecureValue(Secret.newBuilder().setValue(password)).build());
        ps.add(ConfigParameter.newBuilder().setName(SqlConfig.TYPES)
                .setValue("person table=people anchor=id dn=cn\ngroup table=groups anchor=id dn=cn").build());
        ps.add(ConfigParameter.newBuilder().setName(SqlConfig.MULTI)
                .setValue("group.member table=group_members owner=group_id value=member_id").build());
        return new Params(ps);
    }

    Params params() {
        return params(pg.password);
    }

    record Imported(List<CSEntryChange> entries, String watermark, int pages) {}

    Imported importAll(String watermark, int pageSize) throws Exception {
        SqlConnector c = new SqlConnector();
        c.openImportConnection(ctx, params(), Schema.getDefaultInstance(), OpenImportConnectionRunStep.newBuilder()
                .setPageSize(pageSize).setCustomData(watermark == null ? "" : watermark)
                .setImportType(watermark == null ? OperationType.OPERATION_TYPE_FULL : OperationType.OPERATION_TYPE_DELTA)
                .build());
        List<CSEntryChange> all = new ArrayList<>();
        String wm = "";
        int pages = 0;
        ImportPage p;
        do {
            p = c.importEntries(ctx, GetImportEntriesRunStep.getDefaultInstance());
            assertTrue(p.entries().size() <= pageSize);
            all.addAll(p.entries());
            wm = p.customData();
            pages++;
        } while (p.moreToImport() && pages < 10_000);
        c.closeImportConnection(ctx, CloseImportConnectionRunStep.getDefaultInstance());
        return new Imported(all, wm, pages);
    }

    static AttributeChange attr(CSEntryChange e, String name) {
        return e.getAttributeChangesList().stream().filter(a -> a.getName().equals(name)).findFirst().orElse(null);
    }

    static CSEntryChange byDn(List<CSEntryChange> es, String dn) {
        return es.stream().filter(e -> e.getDn().equals(dn)).findFirst().orElse(null);
    }

    List<CSEntryChangeResult> export(CSEntryChange... entries) throws Exception {
        SqlConnector c = new SqlConnector();
        c.openExportConnection(ctx, params(), Schema.getDefaultInstance(),
                OpenExportConnectionRunStep.newBuilder().setBatchSize(100).build());
        try {
            return c.putExportEntries(ctx, List.of(entries)).getCsEntryChangeResultsList();
        } finally {
            c.closeExportConnection(ctx, CloseExportConnectionRunStep.getDefaultInstance());
        }
    }

    @Test
    void the_schema_comes_from_the_catalog() throws Exception {
        Schema s = new SqlConnector().schema(ctx, params());
        SchemaType person = s.getTypes(0);
        assertEquals("person", person.getName());
        var byName = new java.util.HashMap<String, SchemaAttribute>();
        person.getAttributesList().forEach(a -> byName.put(a.getName(), a));
        assertTrue(byName.get("id").getIsAnchor());
        assertEquals(AttributeType.ATTRIBUTE_TYPE_INTEGER, byName.get("id").getDataType());
        assertEquals(AttributeType.ATTRIBUTE_TYPE_STRING, byName.get("cn").getDataType());
        assertEquals(AttributeType.ATTRIBUTE_TYPE_BOOLEAN, byName.get("active").getDataType());
        assertEquals(AttributeType.ATTRIBUTE_TYPE_REFERENCE, byName.get("manager_id").getDataType());
        SchemaAttribute member = s.getTypes(1).getAttributesList().stream()
                .filter(a -> a.getName().equals("member")).findFirst().orElseThrow();
        assertTrue(member.getIsMultiValued());
        assertEquals(AttributeType.ATTRIBUTE_TYPE_REFERENCE, member.getDataType());
    }

    @Test
    void full_import_pages_by_key_over_both_types_with_references() throws Exception {
        Imported all = importAll(null, 7);
        assertEquals(27, all.entries().size());
        assertEquals(4, all.pages()); // 7 + 7 + 7 + (4 people + 2 groups)
        CSEntryChange p2 = byDn(all.entries(), "CN=p2,OU=person");
        assertEquals("CN=p1,OU=person", attr(p2, "manager_id").getValueChanges(0).getValue().getReferenceValue());
        assertEquals(2L, p2.getAnchorAttributes(0).getValue().getIntegerValue());
        CSEntryChange admins = byDn(all.entries(), "CN=admins,OU=group");
        assertEquals(List.of("CN=p1,OU=person", "CN=p2,OU=person"), attr(admins, "member").getValueChangesList()
                .stream().map(v -> v.getValue().getReferenceValue()).toList());
        assertEquals(25, attr(byDn(all.entries(), "CN=all,OU=group"), "member").getValueChangesCount());
    }

    @Test
    void delta_import_returns_inserts_updates_and_deletes_made_in_sql() throws Exception {
        String wm = importAll(null, 100).watermark();
        assertEquals(0, importAll(wm, 100).entries().size());
        sql("INSERT INTO people (cn, display_name) VALUES ('newbie', 'New Bie')");
        sql("UPDATE people SET title = 'Boss' WHERE cn = 'p1'");
        sql("DELETE FROM people WHERE cn = 'p3'");
        sql("DELETE FROM group_members WHERE group_id = 2 AND member_id = 2");
        Imported d = importAll(wm, 100);
        assertEquals(ObjectModificationType.OBJECT_MODIFICATION_TYPE_REPLACE,
                byDn(d.entries(), "CN=newbie,OU=person").getObjectModificationType());
        assertEquals("Boss", attr(byDn(d.entries(), "CN=p1,OU=person"), "title").getValueChanges(0).getValue()
                .getStringValue());
        assertEquals(ObjectModificationType.OBJECT_MODIFICATION_TYPE_DELETE,
                byDn(d.entries(), "CN=p3,OU=person").getObjectModificationType());
        assertEquals(1, attr(byDn(d.entries(), "CN=admins,OU=group"), "member").getValueChangesCount());
        assertEquals(0, importAll(d.watermark(), 100).entries().size());
    }

    @Test
    void export_round_trip_with_a_multi_valued_reference() throws Exception {
        String wm = importAll(null, 100).watermark();
        CSEntryChange add = Model.entry(ObjectModificationType.OBJECT_MODIFICATION_TYPE_ADD, "group")
                .dn("CN=ops,OU=group").attr("description", "Operations")
                .attr("member", AttributeType.ATTRIBUTE_TYPE_REFERENCE, true,
                        List.of(Model.reference("CN=p4,OU=person"), Model.reference("CN=p5,OU=person")))
                .build().toBuilder().setIdentifier("a1").build();
        CSEntryChangeResult r = export(add).get(0);
        assertEquals(MAExportError.MA_EXPORT_ERROR_SUCCESS, r.getErrorCode(), r.getErrorDetail());
        long id = r.getAnchorAttributes(0).getValueChanges(0).getValue().getIntegerValue();
        assertEquals(2, count("SELECT count(*) FROM group_members WHERE group_id = " + id));
        // Update: drop p4, add p6, change the description.
        CSEntryChange update = CSEntryChange.newBuilder().setIdentifier("u1").setObjectType("group")
                .setDn("CN=ops,OU=group")
                .setObjectModificationType(ObjectModificationType.OBJECT_MODIFICATION_TYPE_UPDATE)
                .addAnchorAttributes(Model.anchorValue("id", id))
                .addAttributeChanges(AttributeChange.newBuilder().setName("member")
                        .setModificationType(AttributeModificationType.ATTRIBUTE_MODIFICATION_TYPE_UPDATE)
                        .addValueChanges(ValueChange.newBuilder().setValue(Model.reference("CN=p4,OU=person"))
                                .setModificationType(ValueModificationType.VALUE_MODIFICATION_TYPE_DELETE))
                        .addValueChanges(ValueChange.newBuilder().setValue(Model.reference("CN=p6,OU=person"))
                                .setModificationType(ValueModificationType.VALUE_MODIFICATION_TYPE_ADD)))
                .addAttributeChanges(AttributeChange.newBuilder().setName("description")
                        .setModificationType(AttributeModificationType.ATTRIBUTE_MODIFICATION_TYPE_REPLACE)
                        .addValueChanges(ValueChange.newBuilder().setValue(Model.value("Ops"))
                                .setModificationType(ValueModificationType.VALUE_MODIFICATION_TYPE_ADD)))
                .build();
        assertEquals(MAExportError.MA_EXPORT_ERROR_SUCCESS, export(update).get(0).getErrorCode());
        Imported d = importAll(wm, 100);
        CSEntryChange ops = byDn(d.entries(), "CN=ops,OU=group");
        assertEquals(List.of("CN=p5,OU=person", "CN=p6,OU=person"), attr(ops, "member").getValueChangesList()
                .stream().map(v -> v.getValue().getReferenceValue()).toList());
        assertEquals("Ops", attr(ops, "description").getValueChanges(0).getValue().getStringValue());
        CSEntryChange delete = CSEntryChange.newBuilder().setIdentifier("d1").setObjectType("group")
                .setDn("CN=ops,OU=group")
                .setObjectModificationType(ObjectModificationType.OBJECT_MODIFICATION_TYPE_DELETE).build();
        assertEquals(MAExportError.MA_EXPORT_ERROR_SUCCESS, export(delete).get(0).getErrorCode());
        assertEquals(ObjectModificationType.OBJECT_MODIFICATION_TYPE_DELETE,
                byDn(importAll(d.watermark(), 100).entries(), "CN=ops,OU=group").getObjectModificationType());
    }

    @Test
    void a_unique_violation_fails_that_entry_and_the_rest_of_the_batch_commits() throws Exception {
        CSEntryChange dup = Model.entry(ObjectModificationType.OBJECT_MODIFICATION_TYPE_ADD, "person")
                .dn("CN=p1,OU=person").build().toBuilder().setIdentifier("dup").build();
        CSEntryChange fresh = Model.entry(ObjectModificationType.OBJECT_MODIFICATION_TYPE_ADD, "person")
                .dn("CN=fresh,OU=person").attr("mail", "fresh@example.com").build().toBuilder().setIdentifier("ok")
                .build();
        CSEntryChange badRef = Model.entry(ObjectModificationType.OBJECT_MODIFICATION_TYPE_ADD, "person")
                .dn("CN=orphan,OU=person").build().toBuilder().setIdentifier("ref")
                .addAttributeChanges(AttributeChange.newBuilder().setName("manager_id")
                        .setModificationType(AttributeModificationType.ATTRIBUTE_MODIFICATION_TYPE_ADD)
                        .addValueChanges(ValueChange.newBuilder().setValue(Model.reference("CN=nobody,OU=person"))))
                .build();
        List<CSEntryChangeResult> r = export(dup, fresh, badRef);
        assertEquals(MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_EXISTING_OBJECT, r.get(0).getErrorCode());
        assertEquals("sql-23505", r.get(0).getErrorName());
        assertEquals(MAExportError.MA_EXPORT_ERROR_SUCCESS, r.get(1).getErrorCode());
        assertEquals(MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_REFERENCE_ATTRIBUTE_FAILURE, r.get(2).getErrorCode());
        assertEquals(1, count("SELECT count(*) FROM people WHERE cn = 'fresh'"));
        assertEquals(0, count("SELECT count(*) FROM people WHERE cn = 'orphan'"));
    }

    @Test
    void a_foreign_key_violation_is_a_reference_attribute_failure_and_rolls_back_the_entry() throws Exception {
        sql("ALTER TABLE group_members DROP CONSTRAINT group_members_member_id_fkey");
        sql("ALTER TABLE group_members ADD CONSTRAINT group_members_member_id_fkey FOREIGN KEY (member_id) "
                + "REFERENCES people (id) DEFERRABLE INITIALLY IMMEDIATE");
        // A member row that a trigger makes point at a missing person: the child insert fails with 23503.
        sql("CREATE FUNCTION bad_member() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.member_id := -1; "
                + "RETURN NEW; END $$");
        sql("CREATE TRIGGER bad_member BEFORE INSERT ON group_members FOR EACH ROW EXECUTE FUNCTION bad_member()");
        CSEntryChange add = Model.entry(ObjectModificationType.OBJECT_MODIFICATION_TYPE_ADD, "group")
                .dn("CN=broken,OU=group")
                .attr("member", AttributeType.ATTRIBUTE_TYPE_REFERENCE, true, List.of(Model.reference("CN=p1,OU=person")))
                .build().toBuilder().setIdentifier("x").build();
        CSEntryChangeResult r = export(add).get(0);
        assertEquals(MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_REFERENCE_ATTRIBUTE_FAILURE, r.getErrorCode());
        assertEquals("sql-23503", r.getErrorName());
        // One entry, one transaction: the group row went away with its failed member row.
        assertEquals(0, count("SELECT count(*) FROM groups WHERE cn = 'broken'"));
    }

    @Test
    void connection_parameters_are_validated_with_clear_messages_and_no_secret() throws Exception {
        SqlConnector c = new SqlConnector();
        var page = ConfigParameterPage.CONFIG_PARAMETER_PAGE_CONNECTIVITY;
        assertEquals(ParameterValidationResultCode.PARAMETER_VALIDATION_RESULT_CODE_SUCCESS,
                c.validateConfigParameters(ctx, params(), page).getCode());
        ParameterValidationResult bad = c.validateConfigParameters(ctx, params("not-the-password-42"), page);
        assertEquals(SqlConfig.PASSWORD, bad.getErrorParameter());
        assertTrue(bad.getErrorMessage().contains("refused user ecma2"), bad.getErrorMessage());
        assertFalse(bad.getErrorMessage().contains("not-the-password-42"));
        Exception open = assertThrows(BadServerCredentialsException.class, () -> new SqlConnector()
                .openImportConnection(ctx, params("not-the-password-42"), Schema.getDefaultInstance(),
                        OpenImportConnectionRunStep.newBuilder().setPageSize(10).build()));
        assertFalse(open.getMessage().contains("not-the-password-42"));
        List<ConfigParameter> wrongUrl = new ArrayList<>();
        wrongUrl.add(ConfigParameter.newBuilder().setName(SqlConfig.URL).setValue("postgresql://x/y").build());
        wrongUrl.add(ConfigParameter.newBuilder().setName(SqlConfig.USER).setValue("u").build());
        ParameterValidationResult noJdbc = c.validateConfigParameters(ctx, new Params(wrongUrl), page);
        assertEquals(SqlConfig.URL, noJdbc.getErrorParameter());
        assertTrue(noJdbc.getErrorMessage().contains("must start with jdbc:"));
        // Nothing listens on port 1.
        assertThrows(ServerDownException.class, () -> SqlConnector.connect("jdbc:postgresql://127.0.0.1:1/x", "u", "p"));
    }

    @Test
    void a_bad_object_type_line_names_the_parameter_and_line() {
        List<ConfigParameter> ps = new ArrayList<>();
        ps.add(ConfigParameter.newBuilder().setName(SqlConfig.URL).setValue(url).build());
        ps.add(ConfigParameter.newBuilder().setName(SqlConfig.USER).setValue("u").build());
        ps.add(ConfigParameter.newBuilder().setName(SqlConfig.TYPES)
                .setValue("person table=people anchor=id dn=cn\ngroup table=groups; drop anchor=id dn=cn").build());
        SqlConfig.Invalid e = assertThrows(SqlConfig.Invalid.class, () -> SqlConfig.from(new Params(ps)));
        assertEquals(SqlConfig.TYPES, e.parameter);
        assertTrue(e.getMessage().contains("line"), e.getMessage());
    }
}
