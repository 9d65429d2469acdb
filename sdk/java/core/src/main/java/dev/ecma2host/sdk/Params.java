package dev.ecma2host.sdk;

import dev.ecma2host.ecma2.v1.ConfigParameter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ECMA2's ConfigParameterKeyedCollection: the configured values, keyed by name (case-sensitive).
 * {@link #toString()} never shows a value of an encrypted parameter.
 */
public final class Params {
    private final Map<String, ConfigParameter> byName;

    /** The collection of a request's parameters, in order. */
    public Params(List<ConfigParameter> parameters) {
        Map<String, ConfigParameter> map = new LinkedHashMap<>();
        for (ConfigParameter p : parameters) {
            map.put(p.getName(), p);
        }
        this.byName = Collections.unmodifiableMap(map);
    }

    /** Whether a parameter of that name is present. */
    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** The parameter names, in order. */
    public java.util.Set<String> names() {
        return byName.keySet();
    }

    /** The value of a parameter, the clear text of an encrypted one included; empty when absent. */
    public Optional<String> get(String name) {
        ConfigParameter p = byName.get(name);
        if (p == null) {
            return Optional.empty();
        }
        return Optional.of(p.getIsEncrypted() || p.hasSecureValue() ? p.getSecureValue().getValue() : p.getValue());
    }

    /** The value, or {@code fallback} when the parameter is absent or blank. */
    public String getOr(String name, String fallback) {
        return get(name).filter(v -> !v.isBlank()).orElse(fallback);
    }

    /** Whether the parameter was defined as EncryptedString. */
    public boolean isEncrypted(String name) {
        ConfigParameter p = byName.get(name);
        return p != null && (p.getIsEncrypted() || p.hasSecureValue());
    }

    /** Names and values, with every encrypted value replaced by {@code ***}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Params{");
        boolean first = true;
        for (ConfigParameter p : byName.values()) {
            if (!first) {
                s.append(", ");
            }
            first = false;
            s.append(p.getName()).append('=');
            s.append(isEncrypted(p.getName()) ? "***" : p.getValue());
        }
        return s.append('}').toString();
    }
}
