package dev.ecma2host.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Delta import's source: a change table filled by triggers (PostgreSQL). Every insert, update or
 * delete of a configured table, and every change of a multi-valued child table, appends a row
 * (seq, object type, key, dn, op). Triggers rather than a rowversion column because a rowversion
 * cannot show a deleted row, needs a column in every application table, and says nothing about
 * child-table rows; the change table's bigserial seq is the watermark.
 */
final class ChangeTracking {
    private ChangeTracking() {}

    static void install(Connection c, SqlConfig cfg, Catalog catalog) throws SQLException {
        String t = cfg.changeTable;
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            // One installer at a time: concurrent sessions would race on CREATE OR REPLACE.
            s.execute("SELECT pg_advisory_xact_lock(4242001)");
            s.execute("CREATE TABLE IF NOT EXISTS " + t + " (seq bigserial PRIMARY KEY, object_type text NOT NULL, "
                    + "key text NOT NULL, dn text, op char(1) NOT NULL, changed_at timestamptz NOT NULL DEFAULT now())");
            s.execute("CREATE OR REPLACE FUNCTION " + t + "_track() RETURNS trigger LANGUAGE plpgsql AS $f$\n"
                    + "DECLARE r jsonb;\n"
                    + "BEGIN\n"
                    + "  IF TG_OP = 'DELETE' THEN r := to_jsonb(OLD); ELSE r := to_jsonb(NEW); END IF;\n"
                    + "  INSERT INTO " + t + " (object_type, key, dn, op) VALUES (TG_ARGV[0], r->>TG_ARGV[1],\n"
                    + "    CASE WHEN TG_ARGV[2] = '' THEN NULL ELSE r->>TG_ARGV[2] END,\n"
                    + "    CASE WHEN TG_ARGV[2] = '' THEN 'U' ELSE left(TG_OP, 1) END);\n"
                    + "  RETURN NULL;\n"
                    + "END $f$");
            for (Catalog.TypeInfo ti : catalog.types.values()) {
                SqlConfig.TypeDef d = ti.def();
                s.execute("CREATE OR REPLACE TRIGGER " + t + "_track AFTER INSERT OR UPDATE OR DELETE ON " + d.table()
                        + " FOR EACH ROW EXECUTE FUNCTION " + t + "_track('" + d.name() + "', '"
                        + ti.anchor().name() + "', '" + d.dn() + "')");
                for (Catalog.Multi m : ti.multis()) {
                    s.execute("CREATE OR REPLACE TRIGGER " + t + "_track AFTER INSERT OR UPDATE OR DELETE ON "
                            + m.def().table() + " FOR EACH ROW EXECUTE FUNCTION " + t + "_track('" + d.name()
                            + "', '" + m.def().owner() + "', '')");
                }
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}
