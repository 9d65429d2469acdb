package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.Fault;
import dev.ecma2host.ecma2.v1.FaultKind;
import java.util.ArrayList;
import java.util.List;

/**
 * The root of every ECMA2 exception a connector can throw. Each ECMA2 exception type has its own
 * subclass in this package (for example {@link ServerDownException}); the SDK sends it to the
 * host as a {@link Fault} of that kind, with the gRPC status code docs/protocol.md fixes for it.
 * Any other exception becomes an {@link ExtensibleExtensionException} fault naming the Java type.
 *
 * <p>The properties some ECMA2 exceptions carry (AttributeName, DN, ...) are set fluently:
 * {@code throw new NoSuchAttributeException("no such attribute").attributeName("mail");}. The
 * message must never contain a secret.
 */
public abstract class Ecma2Exception extends Exception {
    private static final long serialVersionUID = 1L;

    private final FaultKind kind;
    private String attributeName = "";
    private String parameterName = "";
    private String maName = "";
    private String dn = "";
    private final List<String> objectClasses = new ArrayList<>();
    private String objectType = "";
    private String className = "";

    protected Ecma2Exception(FaultKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** The ECMA2 exception kind this class stands for. */
    public final FaultKind kind() {
        return kind;
    }

    /** Sets AttributeName. */
    public Ecma2Exception attributeName(String name) {
        this.attributeName = name;
        return this;
    }

    /** Sets ParameterName. */
    public Ecma2Exception parameterName(String name) {
        this.parameterName = name;
        return this;
    }

    /** Sets MAName. */
    public Ecma2Exception maName(String name) {
        this.maName = name;
        return this;
    }

    /** Sets DN. */
    public Ecma2Exception dn(String value) {
        this.dn = value;
        return this;
    }

    /** Adds to ObjectClasses. */
    public Ecma2Exception objectClass(String value) {
        this.objectClasses.add(value);
        return this;
    }

    /** Sets ObjectType. */
    public Ecma2Exception objectType(String value) {
        this.objectType = value;
        return this;
    }

    /** Sets ClassName. */
    public Ecma2Exception className(String value) {
        this.className = value;
        return this;
    }

    /** The fault this exception travels as (connector and call are filled in by the SDK). */
    public Fault.Builder toFault() {
        Fault.Builder f = Fault.newBuilder()
                .setKind(kind)
                .setMessage(getMessage() == null ? "" : getMessage())
                .setAttributeName(attributeName)
                .setParameterName(parameterName)
                .setMaName(maName)
                .setDn(dn)
                .addAllObjectClasses(objectClasses)
                .setObjectType(objectType)
                .setClassName(className);
        Throwable cause = getCause();
        if (cause instanceof Ecma2Exception inner) {
            f.setInner(inner.toFault());
        }
        return f;
    }
}
