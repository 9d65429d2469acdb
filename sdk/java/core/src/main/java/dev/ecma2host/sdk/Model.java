package dev.ecma2host.sdk;

import com.google.protobuf.ByteString;
import dev.ecma2host.ecma2.v1.*;
import java.util.ArrayList;
import java.util.List;

/** Small builders and readers for the contract's messages (schema, entries, export results). */
public final class Model {
    private Model() {}

    /** A single-valued anchor attribute of the schema. */
    public static SchemaAttribute anchor(String name, AttributeType type) {
        return SchemaAttribute.newBuilder().setName(name).setDataType(type).setIsAnchor(true)
                .setAllowedAttributeOperation(AttributeOperation.ATTRIBUTE_OPERATION_IMPORT_ONLY).build();
    }

    /** A single-valued attribute, imported and exported. */
    public static SchemaAttribute single(String name, AttributeType type) {
        return SchemaAttribute.newBuilder().setName(name).setDataType(type)
                .setAllowedAttributeOperation(AttributeOperation.ATTRIBUTE_OPERATION_IMPORT_EXPORT).build();
    }

    /** A multi-valued attribute, imported and exported. */
    public static SchemaAttribute multi(String name, AttributeType type) {
        return single(name, type).toBuilder().setIsMultiValued(true).build();
    }

    /** The value of a Java object: String, Long/Integer, Boolean, byte[]; references use {@link #reference}. */
    public static AttributeValue value(Object v) {
        AttributeValue.Builder b = AttributeValue.newBuilder();
        if (v instanceof String s) {
            b.setStringValue(s);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short) {
            b.setIntegerValue(((Number) v).longValue());
        } else if (v instanceof Boolean x) {
            b.setBooleanValue(x);
        } else if (v instanceof byte[] bytes) {
            b.setBinaryValue(ByteString.copyFrom(bytes));
        } else {
            throw new IllegalArgumentException("no ECMA2 type for " + (v == null ? "null" : v.getClass().getName()));
        }
        return b.build();
    }

    /** A reference value (a DN). */
    public static AttributeValue reference(String dn) {
        return AttributeValue.newBuilder().setReferenceValue(dn).build();
    }

    /** The ECMA2 type of a value. */
    public static AttributeType typeOf(AttributeValue v) {
        return switch (v.getKindCase()) {
            case STRING_VALUE -> AttributeType.ATTRIBUTE_TYPE_STRING;
            case INTEGER_VALUE -> AttributeType.ATTRIBUTE_TYPE_INTEGER;
            case REFERENCE_VALUE -> AttributeType.ATTRIBUTE_TYPE_REFERENCE;
            case BINARY_VALUE -> AttributeType.ATTRIBUTE_TYPE_BINARY;
            case BOOLEAN_VALUE -> AttributeType.ATTRIBUTE_TYPE_BOOLEAN;
            default -> AttributeType.ATTRIBUTE_TYPE_UNDEFINED;
        };
    }

    /** The value as a Java object (String, Long, Boolean, byte[]; a reference as its DN text). */
    public static Object javaValue(AttributeValue v) {
        return switch (v.getKindCase()) {
            case STRING_VALUE -> v.getStringValue();
            case INTEGER_VALUE -> v.getIntegerValue();
            case REFERENCE_VALUE -> v.getReferenceValue();
            case BINARY_VALUE -> v.getBinaryValue().toByteArray();
            case BOOLEAN_VALUE -> v.getBooleanValue();
            default -> null;
        };
    }

    /** An entry of an import page: {@code Model.entry(ADD, "person").dn(...).anchor(...).attr(...).build()}. */
    public static Entry entry(ObjectModificationType mod, String objectType) {
        return new Entry(mod, objectType);
    }

    /** Builds one CSEntryChange. */
    public static final class Entry {
        private final CSEntryChange.Builder b = CSEntryChange.newBuilder();

        Entry(ObjectModificationType mod, String objectType) {
            b.setObjectModificationType(mod).setObjectType(objectType);
        }

        /** Sets the DN. */
        public Entry dn(String dn) {
            b.setDn(dn);
            return this;
        }

        /** Adds an anchor attribute. */
        public Entry anchor(String name, Object v) {
            AttributeValue value = value(v);
            b.addAnchorAttributes(AnchorAttribute.newBuilder().setName(name).setDataType(typeOf(value)).setValue(value));
            return this;
        }

        /** Adds a single-valued attribute (Add); null values are left out. */
        public Entry attr(String name, Object v) {
            if (v == null) {
                return this;
            }
            AttributeValue value = v instanceof AttributeValue a ? a : value(v);
            return attr(name, typeOf(value), false, List.of(value));
        }

        /** Adds an attribute with its values (Add); no values leaves it out. */
        public Entry attr(String name, AttributeType type, boolean multi, List<AttributeValue> values) {
            if (values.isEmpty()) {
                return this;
            }
            AttributeChange.Builder c = AttributeChange.newBuilder().setName(name).setDataType(type)
                    .setIsMultiValued(multi)
                    .setModificationType(AttributeModificationType.ATTRIBUTE_MODIFICATION_TYPE_ADD);
            for (AttributeValue v : values) {
                c.addValueChanges(ValueChange.newBuilder().setValue(v)
                        .setModificationType(ValueModificationType.VALUE_MODIFICATION_TYPE_ADD));
            }
            b.addAttributeChanges(c);
            return this;
        }

        /** The entry. */
        public CSEntryChange build() {
            return b.build();
        }
    }

    /** The values an attribute change adds (Add/Replace: all of them; Update: the added ones). */
    public static List<AttributeValue> added(AttributeChange c) {
        List<AttributeValue> out = new ArrayList<>();
        for (ValueChange v : c.getValueChangesList()) {
            if (v.getModificationType() != ValueModificationType.VALUE_MODIFICATION_TYPE_DELETE) {
                out.add(v.getValue());
            }
        }
        return out;
    }

    /** The values an Update attribute change deletes. */
    public static List<AttributeValue> deleted(AttributeChange c) {
        List<AttributeValue> out = new ArrayList<>();
        for (ValueChange v : c.getValueChangesList()) {
            if (v.getModificationType() == ValueModificationType.VALUE_MODIFICATION_TYPE_DELETE) {
                out.add(v.getValue());
            }
        }
        return out;
    }

    /** A successful export result, with the anchor of an added object when there is one. */
    public static CSEntryChangeResult success(String identifier, AnchorAttribute... anchors) {
        CSEntryChangeResult.Builder r = CSEntryChangeResult.newBuilder().setIdentifier(identifier)
                .setErrorCode(MAExportError.MA_EXPORT_ERROR_SUCCESS);
        for (AnchorAttribute a : anchors) {
            r.addAnchorAttributes(AttributeChange.newBuilder().setName(a.getName()).setDataType(a.getDataType())
                    .setModificationType(AttributeModificationType.ATTRIBUTE_MODIFICATION_TYPE_ADD)
                    .addValueChanges(ValueChange.newBuilder().setValue(a.getValue())
                            .setModificationType(ValueModificationType.VALUE_MODIFICATION_TYPE_ADD)));
        }
        return r.build();
    }

    /** A failed export result for one entry. */
    public static CSEntryChangeResult failure(String identifier, MAExportError code, String name, String detail) {
        return CSEntryChangeResult.newBuilder().setIdentifier(identifier).setErrorCode(code)
                .setErrorName(name).setErrorDetail(detail == null ? "" : detail).build();
    }

    /** An anchor attribute. */
    public static AnchorAttribute anchorValue(String name, Object v) {
        AttributeValue value = value(v);
        return AnchorAttribute.newBuilder().setName(name).setDataType(typeOf(value)).setValue(value).build();
    }

    /** A validation success. */
    public static ParameterValidationResult valid() {
        return ParameterValidationResult.newBuilder()
                .setCode(ParameterValidationResultCode.PARAMETER_VALIDATION_RESULT_CODE_SUCCESS).build();
    }

    /** A validation failure naming the parameter. */
    public static ParameterValidationResult invalid(String parameter, String message) {
        return ParameterValidationResult.newBuilder()
                .setCode(ParameterValidationResultCode.PARAMETER_VALIDATION_RESULT_CODE_FAILURE)
                .setErrorParameter(parameter).setErrorMessage(message).build();
    }

    /** A configuration element of type String (or another type via toBuilder). */
    public static ConfigParameterDefinition parameter(String name, ConfigParameterType type, String defaultValue) {
        return ConfigParameterDefinition.newBuilder().setName(name).setType(type)
                .setDefaultValue(defaultValue == null ? "" : defaultValue).build();
    }
}
