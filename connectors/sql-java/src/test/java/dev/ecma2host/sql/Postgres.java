package dev.ecma2host.sql;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away PostgreSQL cluster for the tests, made by scripts/pg.sh on a free loopback port
 * and removed when the JVM exits. One per test JVM.
 */
final class Postgres {
    private static Postgres instance;

    final Path dir;
    final String url;
    final String user = "ecma2";
    final String password;

    private Postgres(Path dir) throws IOException {
        this.dir = dir;
        String url = null;
        for (String line : Files.readAllLines(dir.resolve("env"))) {
            if (line.startsWith("JDBC_URL=")) {
                url = line.substring("JDBC_URL=".length());
            }
        }
        this.url = url;
        this.password = Files.readString(dir.resolve("password")).trim();
    }

    static synchronized Postgres get() throws Exception {
        if (instance == null) {
            Process p = new ProcessBuilder("bash", "scripts/pg.sh", "start")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("scripts/pg.sh start failed: " + out);
            }
            Postgres pg = new Postgres(Path.of(out));
            // Normally stopped by the tests' @AfterAll; this covers a JVM that ends early.
            Runtime.getRuntime().addShutdownHook(new Thread(Postgres::stop));
            instance = pg;
        }
        return instance;
    }

    /** Stops the cluster and removes its directory (once; later calls do nothing). */
    static synchronized void stop() {
        if (instance == null) {
            return;
        }
        try {
            new ProcessBuilder("bash", "scripts/pg.sh", "stop", instance.dir.toString()).inheritIO().start()
                    .waitFor(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            // the temp dir stays behind; nothing else to do
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        instance = null;
    }

    Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return DriverManager.getConnection(url, p);
    }

    /** A fresh database with the sample schema, named {@code name}; returns its JDBC URL. */
    String freshDatabase(String name) throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name);
        }
        String dbUrl = url.substring(0, url.lastIndexOf('/') + 1) + name;
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        try (Connection c = DriverManager.getConnection(dbUrl, p); Statement s = c.createStatement()) {
            s.execute(Files.readString(Path.of("sql/sample.sql")));
        }
        return dbUrl;
    }
}
