package dev.ecma2host.sdk;

import static org.junit.jupiter.api.Assertions.*;

import dev.ecma2host.ecma2.v1.ConfigParameter;
import dev.ecma2host.ecma2.v1.Fault;
import dev.ecma2host.ecma2.v1.FaultKind;
import dev.ecma2host.ecma2.v1.Secret;
import dev.ecma2host.sdk.fault.*;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FaultsTest {
    @Test
    void every_fault_kind_has_its_exception_class_and_status_code() throws Exception {
        int classes = 0;
        for (FaultKind k : FaultKind.values()) {
            if (k == FaultKind.UNRECOGNIZED || k == FaultKind.FAULT_KIND_UNSPECIFIED) {
                continue;
            }
            // FAULT_KIND_NO_SUCH_ATTRIBUTE_EXCEPTION -> NoSuchAttributeException
            StringBuilder name = new StringBuilder();
            for (String part : k.name().substring("FAULT_KIND_".length()).split("_")) {
                name.append(part.charAt(0)).append(part.substring(1).toLowerCase());
            }
            String cls = name.toString().replace("InvalidDnException", "InvalidDNException");
            Class<?> c = Class.forName("dev.ecma2host.sdk.fault." + cls);
            Ecma2Exception e = (Ecma2Exception) c.getConstructor(String.class).newInstance("m");
            assertEquals(k, e.kind(), cls);
            classes++;
        }
        assertEquals(42, classes);
        assertEquals(Status.Code.NOT_FOUND, Faults.codeFor(FaultKind.FAULT_KIND_NO_SUCH_ATTRIBUTE_EXCEPTION));
        assertEquals(Status.Code.ALREADY_EXISTS, Faults.codeFor(FaultKind.FAULT_KIND_OBJECT_ALREADY_EXISTS_EXCEPTION));
        assertEquals(Status.Code.ABORTED, Faults.codeFor(FaultKind.FAULT_KIND_FATAL_ENTRY_EXPORT_EXCEPTION));
        assertEquals(Status.Code.UNAVAILABLE, Faults.codeFor(FaultKind.FAULT_KIND_DROPPED_CONNECTION_EXCEPTION));
        assertEquals(Status.Code.PERMISSION_DENIED, Faults.codeFor(FaultKind.FAULT_KIND_ACCESS_DENIED_EXCEPTION));
        assertEquals(Status.Code.INTERNAL, Faults.codeFor(FaultKind.FAULT_KIND_UNSPECIFIED));
    }

    @Test
    void properties_and_inner_faults_travel() {
        Ecma2Exception e = new NoSuchAttributeException("no mail", new ServerDownException("down"))
                .attributeName("mail");
        Fault f = Faults.faultOf(e, "c", "GetSchema");
        assertEquals("mail", f.getAttributeName());
        assertEquals(FaultKind.FAULT_KIND_SERVER_DOWN_EXCEPTION, f.getInner().getKind());
        Fault back = Faults.fromStatus(Faults.toStatus(f)).orElseThrow();
        assertEquals(f, back);
    }

    @Test
    void params_never_show_an_encrypted_value() {
        Params p = new Params(List.of(
                ConfigParameter.newBuilder().setName("User").setValue("ann").build(),
                ConfigParameter.newBuilder().setName("Password").setIsEncrypted(true)
                        .setSecureValue(Secret.newBuilder().setValue("hunter2")).build()));
        assertEquals("hunter2", p.get("Password").orElseThrow());
        assertFalse(p.toString().contains("hunter2"), p.toString());
        assertTrue(p.toString().contains("User=ann"));
    }

    @Test
    void launch_settings_refuse_tls_without_a_client_ca() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Launch.Settings.from(Map.of(
                "ECMA2_TLS_CERT", "/etc/hostname", "ECMA2_TLS_KEY", "/etc/hostname")));
        assertTrue(e.getMessage().contains("ECMA2_TLS_CLIENT_CA"));
        e = assertThrows(IllegalArgumentException.class,
                () -> Launch.Settings.from(Map.of("ECMA2_LISTEN", "tcp:localhost:x")));
        assertTrue(e.getMessage().contains("ECMA2_LISTEN"));
        Launch.Settings s = Launch.Settings.from(Map.of("ECMA2_LAUNCH_SECRET", "s", "ECMA2_HOST_PID", "42"));
        assertEquals("json", s.logFormat());
        assertEquals(42, s.hostPid());
        assertEquals("tcp:127.0.0.1:0", s.listen());
    }

    @Test
    void json_log_lines_carry_level_target_message_and_fields() {
        var r = new java.util.logging.LogRecord(java.util.logging.Level.WARNING, "page sent");
        r.setLoggerName("demo");
        r.setParameters(new Object[] {new JsonLog.Fields(new Object[] {"entries", 5, "note", "a\"b"})});
        String line = new JsonLog.Json().format(r);
        assertTrue(line.matches("\\{\"timestamp\":\"[0-9T:.\\-]+Z\",\"level\":\"WARN\",\"target\":\"demo\","
                + "\"message\":\"page sent\",\"entries\":5,\"note\":\"a\\\\\"b\"\\}\n"), line);
    }
}
