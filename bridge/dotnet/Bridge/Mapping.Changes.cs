// Ecma2Mapping, the change model: CSEntryChange, AnchorAttribute, AttributeChange, ValueChange,
// attribute values and export results, both ways. Values are typed by the attribute's DataType;
// a change built without a schema (DataType Undefined) is typed from the run's schema.
using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.MetadirectoryServices.DetachedObjectModel;
using Mms = Microsoft.MetadirectoryServices;
using Pb = Ecma2.V1;

namespace Ecma2.Bridge
{
    public static partial class Ecma2Mapping
    {
        /// <summary>Empty text on the wire is an absent (null) string in ECMA2.</summary>
        public static string Nz(string s) { return string.IsNullOrEmpty(s) ? null : s; }

        /// <summary>A null ECMA2 string is empty text on the wire.</summary>
        public static string Text(string s) { return s ?? ""; }

        public static string GuidText(Guid g) { return g.ToString("D", CultureInfo.InvariantCulture); }

        public static Guid ParseGuid(string text, string what)
        {
            Guid g;
            if (!Guid.TryParse(text, out g))
            {
                throw new Mms.UnexpectedDataException("ecma2-host bridge: " + what + " is not a GUID: `" + text + "`");
            }
            return g;
        }

        /// <summary>An ECMA2 attribute value as a typed wire value.</summary>
        public static Pb.AttributeValue ValueToPb(object value, Mms.AttributeType dataType, string attribute)
        {
            Pb.AttributeValue v = new Pb.AttributeValue();
            if (value is string)
            {
                if (dataType == Mms.AttributeType.Reference) v.ReferenceValue = (string)value;
                else v.StringValue = (string)value;
            }
            else if (value is long) v.IntegerValue = (long)value;
            else if (value is int) v.IntegerValue = (int)value;
            else if (value is short) v.IntegerValue = (short)value;
            else if (value is byte[]) v.BinaryValue = (byte[])value;
            else if (value is bool) v.BooleanValue = (bool)value;
            else
            {
                string type = value == null ? "null" : value.GetType().FullName;
                throw new Mms.UnexpectedDataException("ecma2-host bridge: attribute `" + attribute + "` has a value of type " + type + ", which ECMA2 does not allow (string, Int16/32/64, byte[] or bool)");
            }
            return v;
        }

        /// <summary>A wire value as the CLR object ECMA2 uses (string, long, byte[], bool).</summary>
        public static object ValueFromPb(Pb.AttributeValue v, string attribute)
        {
            if (v != null)
            {
                switch (v.KindCase)
                {
                    case Pb.AttributeValue.KindOneofCase.StringValue: return v.StringValue;
                    case Pb.AttributeValue.KindOneofCase.ReferenceValue: return v.ReferenceValue;
                    case Pb.AttributeValue.KindOneofCase.IntegerValue: return v.IntegerValue;
                    case Pb.AttributeValue.KindOneofCase.BinaryValue: return v.BinaryValue;
                    case Pb.AttributeValue.KindOneofCase.BooleanValue: return v.BooleanValue;
                }
            }
            throw new Mms.UnexpectedDataException("ecma2-host bridge: attribute `" + attribute + "` carries a value with no type set");
        }

        /// <summary>The type of an attribute value when ECMA2 gives none: from the schema, else from the value.</summary>
        private static Mms.AttributeType Resolve(Mms.AttributeType declared, string objectType, string attribute, Mms.Schema schema)
        {
            if (declared != Mms.AttributeType.Undefined || schema == null) return declared;
            if (objectType != null && schema.Types.Contains(objectType))
            {
                Mms.SchemaType t = schema.Types[objectType];
                if (t.Attributes.Contains(attribute)) return t.Attributes[attribute].DataType;
            }
            foreach (Mms.SchemaType t in schema.Types)
            {
                if (t.Attributes.Contains(attribute)) return t.Attributes[attribute].DataType;
            }
            return declared;
        }

        public static Pb.ValueChange ToPb(Mms.ValueChange v, Mms.AttributeType dataType, string attribute)
        {
            Pb.ValueChange pb = new Pb.ValueChange();
            pb.Value = ValueToPb(v.Value, dataType, attribute);
            pb.ModificationType = ToPb(v.ModificationType);
            return pb;
        }

        public static Mms.ValueChange FromPb(Pb.ValueChange v, string attribute)
        {
            return new Mms.ValueChange(ValueFromPb(v.Value, attribute), FromPb(v.ModificationType));
        }

        public static Pb.AttributeChange ToPb(Mms.AttributeChange a, string objectType, Mms.Schema schema)
        {
            Mms.AttributeType type = Resolve(a.DataType, objectType, a.Name, schema);
            Pb.AttributeChange pb = new Pb.AttributeChange();
            pb.Name = Text(a.Name);
            pb.DataType = ToPb(a.DataType);
            pb.IsMultiValued = a.IsMultiValued;
            pb.ModificationType = ToPb(a.ModificationType);
            if (a.ValueChanges != null)
            {
                foreach (Mms.ValueChange v in a.ValueChanges) pb.ValueChanges.Add(ToPb(v, type, a.Name));
            }
            return pb;
        }

        public static Mms.AttributeChange FromPb(Pb.AttributeChange a)
        {
            List<Mms.ValueChange> values = new List<Mms.ValueChange>(a.ValueChanges.Count);
            foreach (Pb.ValueChange v in a.ValueChanges) values.Add(FromPb(v, a.Name));
            return new AttributeChangeDetached(a.Name, FromPb(a.ModificationType), values, FromPb(a.DataType), a.IsMultiValued, false);
        }

        public static Pb.AnchorAttribute ToPb(Mms.AnchorAttribute a, string objectType, Mms.Schema schema)
        {
            Pb.AnchorAttribute pb = new Pb.AnchorAttribute();
            pb.Name = Text(a.Name);
            pb.DataType = ToPb(a.DataType);
            pb.Value = ValueToPb(a.Value, Resolve(a.DataType, objectType, a.Name, schema), a.Name);
            return pb;
        }

        public static Mms.AnchorAttribute FromPb(Pb.AnchorAttribute a)
        {
            return new AnchorAttributeDetached(a.Name, FromPb(a.DataType), ValueFromPb(a.Value, a.Name));
        }

        /// <summary>An ECMA2 CSEntryChange (the engine's or a detached one) for the wire.</summary>
        public static Pb.CSEntryChange ToPb(Mms.CSEntryChange c, Mms.Schema schema)
        {
            Pb.CSEntryChange pb = new Pb.CSEntryChange();
            pb.Identifier = GuidText(c.Identifier);
            pb.ObjectModificationType = ToPb(c.ObjectModificationType);
            pb.ObjectType = Text(c.ObjectType);
            pb.Dn = Text(c.DN);
            foreach (Mms.AnchorAttribute a in c.AnchorAttributes) pb.AnchorAttributes.Add(ToPb(a, c.ObjectType, schema));
            foreach (Mms.AttributeChange a in c.AttributeChanges) pb.AttributeChanges.Add(ToPb(a, c.ObjectType, schema));
            pb.ErrorCodeImport = ToPb(c.ErrorCodeImport);
            pb.ErrorName = Text(c.ErrorName);
            pb.ErrorDetail = Text(c.ErrorDetail);
            return pb;
        }

        /// <summary>A wire CSEntryChange as ECMA2's detached CSEntryChange, identifier kept.</summary>
        public static Mms.CSEntryChange FromPb(Pb.CSEntryChange pb)
        {
            Guid id = pb.Identifier.Length == 0 ? Guid.NewGuid() : ParseGuid(pb.Identifier, "CSEntryChange.Identifier");
            CSEntryChangeDetached c = new CSEntryChangeDetached(id, FromPb(pb.ObjectModificationType), FromPb(pb.ErrorCodeImport), null);
            c.ObjectType = Nz(pb.ObjectType);
            c.DN = Nz(pb.Dn);
            c.ErrorName = Nz(pb.ErrorName);
            c.ErrorDetail = Nz(pb.ErrorDetail);
            foreach (Pb.AnchorAttribute a in pb.AnchorAttributes) c.AnchorAttributes.Add(FromPb(a));
            foreach (Pb.AttributeChange a in pb.AttributeChanges)
            {
                try
                {
                    c.AttributeChanges.Add(FromPb(a));
                }
                catch (ArgumentException e)
                {
                    throw new Mms.UnexpectedDataException("ecma2-host bridge: the connector returned " + Describe(pb) + " whose attribute change `" + a.Name + "` ECMA2 refuses: " + e.Message);
                }
                catch (InvalidOperationException e)
                {
                    throw new Mms.UnexpectedDataException("ecma2-host bridge: the connector returned " + Describe(pb) + " whose attribute change `" + a.Name + "` ECMA2 refuses: " + e.Message);
                }
            }
            return c;
        }

        private static string Describe(Pb.CSEntryChange pb)
        {
            return "the " + FromPb(pb.ObjectModificationType) + " of " + (pb.Dn.Length > 0 ? "`" + pb.Dn + "`" : "entry " + pb.Identifier);
        }

        public static Pb.CSEntryChangeResult ToPb(Mms.CSEntryChangeResult r)
        {
            Pb.CSEntryChangeResult pb = new Pb.CSEntryChangeResult();
            pb.Identifier = GuidText(r.Identifier);
            foreach (Mms.AttributeChange a in r.AnchorAttributes) pb.AnchorAttributes.Add(ToPb(a, null, null));
            pb.ErrorCode = ToPb(r.ErrorCode);
            pb.ErrorName = Text(r.ErrorName);
            pb.ErrorDetail = Text(r.ErrorDetail);
            return pb;
        }

        public static Mms.CSEntryChangeResult FromPb(Pb.CSEntryChangeResult pb)
        {
            List<Mms.AttributeChange> anchors = new List<Mms.AttributeChange>(pb.AnchorAttributes.Count);
            foreach (Pb.AttributeChange a in pb.AnchorAttributes) anchors.Add(FromPb(a));
            Guid id = ParseGuid(pb.Identifier, "CSEntryChangeResult.Identifier");
            return Mms.CSEntryChangeResult.Create(id, anchors, FromPb(pb.ErrorCode), Nz(pb.ErrorName), Nz(pb.ErrorDetail));
        }

        public static Mms.PutExportEntriesResults FromPb(Pb.PutExportEntriesResults pb)
        {
            List<Mms.CSEntryChangeResult> results = new List<Mms.CSEntryChangeResult>();
            if (pb != null)
            {
                foreach (Pb.CSEntryChangeResult r in pb.CsEntryChangeResults) results.Add(FromPb(r));
            }
            return new Mms.PutExportEntriesResults(results);
        }
    }
}
