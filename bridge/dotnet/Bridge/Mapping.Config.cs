// Ecma2Mapping, configuration and discovery: config parameters (secrets as Secret), page
// definitions, validation results, schema, partitions, hierarchy nodes, capabilities (absent
// fields keep the MACapabilities constructor's defaults) and the password call's CSEntry.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Runtime.InteropServices;
using System.Security;
using Mms = Microsoft.MetadirectoryServices;
using Pb = Ecma2.V1;

namespace Ecma2.Bridge
{
    public static partial class Ecma2Mapping
    {
        /// <summary>The clear text of a SecureString, for a Secret on the wire. Never logged.</summary>
        public static string Reveal(SecureString s)
        {
            if (s == null) return "";
            IntPtr p = Marshal.SecureStringToGlobalAllocUnicode(s);
            try
            {
                return Marshal.PtrToStringUni(p) ?? "";
            }
            finally
            {
                Marshal.ZeroFreeGlobalAllocUnicode(p);
            }
        }

        public static SecureString Protect(string text)
        {
            SecureString s = new SecureString();
            foreach (char c in text ?? "") s.AppendChar(c);
            s.MakeReadOnly();
            return s;
        }

        public static Pb.Secret Secret(SecureString s)
        {
            Pb.Secret secret = new Pb.Secret();
            secret.Value = Reveal(s);
            return secret;
        }

        /// <summary>One configured value; an encrypted one travels as a Secret.</summary>
        public static Pb.ConfigParameter ToPb(Mms.ConfigParameter p)
        {
            Pb.ConfigParameter pb = new Pb.ConfigParameter();
            pb.Name = Text(p.Name);
            pb.IsEncrypted = p.IsEncrypted;
            if (p.IsEncrypted)
            {
                Pb.Secret secret = new Pb.Secret();
                try
                {
                    secret.Value = Reveal(p.SecureValue);
                }
                catch (InvalidOperationException)
                {
                    // An ECMA1-style encrypted parameter keeps its text in Value.
                    secret.Value = Text(p.Value);
                }
                pb.SecureValue = secret;
            }
            else
            {
                pb.Value = Text(p.Value);
            }
            return pb;
        }

        public static Mms.ConfigParameter FromPb(Pb.ConfigParameter pb)
        {
            if (pb.IsEncrypted) return new Mms.ConfigParameter(pb.Name, Protect(pb.SecureValue == null ? "" : pb.SecureValue.Value));
            return new Mms.ConfigParameter(pb.Name, pb.Value);
        }

        /// <summary>The configured values, without the bridge's own Connectivity parameters.</summary>
        public static List<Pb.ConfigParameter> ToPb(KeyedCollection<string, Mms.ConfigParameter> parameters)
        {
            List<Pb.ConfigParameter> list = new List<Pb.ConfigParameter>();
            if (parameters == null) return list;
            foreach (Mms.ConfigParameter p in parameters)
            {
                if (BridgeParameters.IsOwn(p.Name)) continue;
                list.Add(ToPb(p));
            }
            return list;
        }

        public static Pb.ConfigParameterDefinition ToPb(Mms.ConfigParameterDefinition d)
        {
            Pb.ConfigParameterDefinition pb = new Pb.ConfigParameterDefinition();
            pb.Name = Text(d.Name);
            pb.Type = ToPb(d.Type);
            pb.Text = Text(d.Text);
            pb.Validation = Text(d.Validation);
            pb.DefaultValue = Text(d.DefaultValue);
            pb.DropDownExtensible = d.DropDownExtensible;
            return pb;
        }

        /// <summary>A page element through the ECMA2 factory of its type, as a connector would build it.</summary>
        public static Mms.ConfigParameterDefinition FromPb(Pb.ConfigParameterDefinition pb)
        {
            // Strings as they came: ECMA2's factories themselves give "" for what is not set.
            string name = pb.Name;
            string validation = pb.Validation;
            string def = pb.DefaultValue;
            switch (FromPb(pb.Type))
            {
                case Mms.ConfigParameterType.EncryptedString: return Mms.ConfigParameterDefinition.CreateEncryptedStringParameter(name, validation, def);
                case Mms.ConfigParameterType.Label: return Mms.ConfigParameterDefinition.CreateLabelParameter(pb.Text);
                case Mms.ConfigParameterType.Text: return Mms.ConfigParameterDefinition.CreateTextParameter(name, def);
                case Mms.ConfigParameterType.DropDown: return Mms.ConfigParameterDefinition.CreateDropDownParameter(name, validation, pb.DropDownExtensible, def);
                case Mms.ConfigParameterType.CheckBox: return Mms.ConfigParameterDefinition.CreateCheckBoxParameter(name, pb.DefaultValue == "1");
                case Mms.ConfigParameterType.Divider: return Mms.ConfigParameterDefinition.CreateDividerParameter();
                case Mms.ConfigParameterType.File: return Mms.ConfigParameterDefinition.CreateFileParameter(name, def);
                default: return Mms.ConfigParameterDefinition.CreateStringParameter(name, validation, def);
            }
        }

        public static Pb.ParameterValidationResult ToPb(Mms.ParameterValidationResult r)
        {
            Pb.ParameterValidationResult pb = new Pb.ParameterValidationResult();
            pb.Code = ToPb(r.Code);
            pb.ErrorMessage = Text(r.ErrorMessage);
            pb.ErrorParameter = Text(r.ErrorParameter);
            return pb;
        }

        public static Mms.ParameterValidationResult FromPb(Pb.ParameterValidationResult pb)
        {
            if (pb == null) return new Mms.ParameterValidationResult(Mms.ParameterValidationResultCode.Failure, "ecma2-host bridge: the connector returned no validation result", null);
            return new Mms.ParameterValidationResult(FromPb(pb.Code), Nz(pb.ErrorMessage), Nz(pb.ErrorParameter));
        }

        public static Pb.Schema ToPb(Mms.Schema s)
        {
            if (s == null) return null;
            Pb.Schema pb = new Pb.Schema();
            foreach (Mms.SchemaType t in s.Types)
            {
                Pb.SchemaType pt = new Pb.SchemaType();
                pt.Name = Text(t.Name);
                pt.Locked = t.Locked;
                foreach (Mms.SchemaAttribute a in t.Attributes)
                {
                    Pb.SchemaAttribute pa = new Pb.SchemaAttribute();
                    pa.Name = Text(a.Name);
                    pa.IsMultiValued = a.IsMultiValued;
                    pa.IsAnchor = a.IsAnchor;
                    pa.DataType = ToPb(a.DataType);
                    pa.AllowedAttributeOperation = ToPb(a.AllowedAttributeOperation);
                    pa.HiddenByDefault = a.HiddenByDefault;
                    pt.Attributes.Add(pa);
                }
                if (t.PossibleDNComponentsForProvisioning != null) pt.PossibleDnComponentsForProvisioning.AddRange(t.PossibleDNComponentsForProvisioning);
                pb.Types.Add(pt);
            }
            if (s.ChangeType != null)
            {
                Pb.ChangeTypeDescription c = new Pb.ChangeTypeDescription();
                c.AttributeName = Text(s.ChangeType.AttributeName);
                c.Add = Text(s.ChangeType.Add);
                c.Modify = Text(s.ChangeType.Modify);
                c.Delete = Text(s.ChangeType.Delete);
                pb.ChangeType = c;
            }
            pb.ObjectTypeAttributeName = Text(s.ObjectTypeAttributeName);
            return pb;
        }

        public static Mms.Schema FromPb(Pb.Schema pb)
        {
            Mms.Schema s = pb.ChangeType == null && pb.ObjectTypeAttributeName.Length == 0
                ? Mms.Schema.Create()
                : new Mms.Schema(pb.ChangeType == null ? null : new WireChangeTypeDescription(pb.ChangeType), Nz(pb.ObjectTypeAttributeName));
            foreach (Pb.SchemaType pt in pb.Types)
            {
                Mms.SchemaType t = Mms.SchemaType.Create(pt.Name, pt.Locked);
                foreach (Pb.SchemaAttribute pa in pt.Attributes)
                {
                    Mms.AttributeType type = FromPb(pa.DataType);
                    Mms.AttributeOperation op = FromPb(pa.AllowedAttributeOperation);
                    Mms.SchemaAttribute a = pa.IsAnchor
                        ? Mms.SchemaAttribute.CreateAnchorAttribute(pa.Name, type, op)
                        : pa.IsMultiValued
                            ? Mms.SchemaAttribute.CreateMultiValuedAttribute(pa.Name, type, op)
                            : Mms.SchemaAttribute.CreateSingleValuedAttribute(pa.Name, type, op);
                    a.HiddenByDefault = pa.HiddenByDefault;
                    t.Attributes.Add(a);
                }
                foreach (string c in pt.PossibleDnComponentsForProvisioning) t.PossibleDNComponentsForProvisioning.Add(c);
                s.Types.Add(t);
            }
            return s;
        }

        public static Pb.Partition ToPb(Mms.Partition p)
        {
            if (p == null) return null;
            Pb.Partition pb = new Pb.Partition();
            pb.Identifier = GuidText(p.Identifier);
            pb.Dn = Text(p.DN);
            pb.Name = Text(p.Name);
            pb.HiddenByDefault = p.HiddenByDefault;
            return pb;
        }

        public static Mms.Partition FromPb(Pb.Partition pb)
        {
            Mms.Partition p = Mms.Partition.Create(ParseGuid(pb.Identifier, "Partition.Identifier"), pb.Dn, pb.Name);
            p.HiddenByDefault = pb.HiddenByDefault;
            return p;
        }

        public static Pb.HierarchyNode ToPb(Mms.HierarchyNode n)
        {
            if (n == null) return null;
            Pb.HierarchyNode pb = new Pb.HierarchyNode();
            pb.Dn = Text(n.DN);
            pb.DisplayName = Text(n.DisplayName);
            return pb;
        }

        public static Mms.HierarchyNode FromPb(Pb.HierarchyNode pb)
        {
            return Mms.HierarchyNode.Create(pb.Dn, pb.DisplayName);
        }

        public static void AddNodes(List<Pb.HierarchyNode> into, IList<Mms.HierarchyNode> nodes)
        {
            if (nodes == null) return;
            foreach (Mms.HierarchyNode n in nodes) into.Add(ToPb(n));
        }

        /// <summary>Every capability explicit, so the receiver never falls back to a default.</summary>
        public static Pb.MACapabilities ToPb(Mms.MACapabilities c)
        {
            Pb.MACapabilities pb = new Pb.MACapabilities();
            pb.DistinguishedNameStyle = ToPb(c.DistinguishedNameStyle);
            pb.ObjectRename = c.ObjectRename;
            pb.NoReferenceValuesInFirstExport = c.NoReferenceValuesInFirstExport;
            pb.DeltaImport = c.DeltaImport;
            pb.ConcurrentOperation = c.ConcurrentOperation;
            pb.DeleteAddAsReplace = c.DeleteAddAsReplace;
            pb.ExportPasswordInFirstPass = c.ExportPasswordInFirstPass;
            pb.FullExport = c.FullExport;
            pb.ObjectConfirmation = ToPb(c.ObjectConfirmation);
            pb.ExportType = ToPb(c.ExportType);
            pb.Normalizations.AddRange(ToPb(c.Normalizations));
            pb.IsDnAsAnchor = c.IsDNAsAnchor;
            pb.SupportImport = c.SupportImport;
            pb.SupportExport = c.SupportExport;
            pb.SupportPartitions = c.SupportPartitions;
            pb.SupportPassword = c.SupportPassword;
            pb.SupportHierarchy = c.SupportHierarchy;
            return pb;
        }

        /// <summary>Capabilities starting from the ECMA2 constructor's defaults; only fields present on the wire change them.</summary>
        public static Mms.MACapabilities FromPb(Pb.MACapabilities pb)
        {
            Mms.MACapabilities c = new Mms.MACapabilities();
            if (pb == null) return c;
            if (pb.DistinguishedNameStyle != Pb.MADistinguishedNameStyle.Unspecified) c.DistinguishedNameStyle = FromPb(pb.DistinguishedNameStyle);
            if (pb.ObjectRename.HasValue) c.ObjectRename = pb.ObjectRename.Value;
            if (pb.NoReferenceValuesInFirstExport.HasValue) c.NoReferenceValuesInFirstExport = pb.NoReferenceValuesInFirstExport.Value;
            if (pb.DeltaImport.HasValue) c.DeltaImport = pb.DeltaImport.Value;
            if (pb.ConcurrentOperation.HasValue) c.ConcurrentOperation = pb.ConcurrentOperation.Value;
            if (pb.DeleteAddAsReplace.HasValue) c.DeleteAddAsReplace = pb.DeleteAddAsReplace.Value;
            if (pb.ExportPasswordInFirstPass.HasValue) c.ExportPasswordInFirstPass = pb.ExportPasswordInFirstPass.Value;
            if (pb.FullExport.HasValue) c.FullExport = pb.FullExport.Value;
            c.ObjectConfirmation = FromPb(pb.ObjectConfirmation);
            c.ExportType = FromPb(pb.ExportType);
            c.Normalizations = FromPb(pb.Normalizations);
            if (pb.IsDnAsAnchor.HasValue) c.IsDNAsAnchor = pb.IsDnAsAnchor.Value;
            if (pb.SupportImport.HasValue) c.SupportImport = pb.SupportImport.Value;
            if (pb.SupportExport.HasValue) c.SupportExport = pb.SupportExport.Value;
            if (pb.SupportPartitions.HasValue) c.SupportPartitions = pb.SupportPartitions.Value;
            if (pb.SupportPassword.HasValue) c.SupportPassword = pb.SupportPassword.Value;
            if (pb.SupportHierarchy.HasValue) c.SupportHierarchy = pb.SupportHierarchy.Value;
            return c;
        }

        /// <summary>What of the engine's live CSEntry can cross a process boundary.</summary>
        public static Pb.CSEntry ToPb(Mms.CSEntry e)
        {
            Pb.CSEntry pb = new Pb.CSEntry();
            if (e == null) return pb;
            pb.Dn = e.DN == null ? "" : Text(e.DN.ToString());
            pb.Rdn = Text(e.RDN);
            if (e.ObjectClass != null) pb.ObjectClass.AddRange(e.ObjectClass.ToStringArray());
            pb.ObjectType = Text(e.ObjectType);
            Mms.AttributeNameEnumerator names = e.GetEnumerator();
            while (names != null && names.MoveNext())
            {
                Mms.Attrib a = e[names.Current];
                Pb.Attrib pa = new Pb.Attrib();
                pa.Name = Text(a.Name);
                pa.DataType = ToPb(a.DataType);
                pa.IsPresent = a.IsPresent;
                pa.IsMultivalued = a.IsMultivalued;
                if (a.IsPresent && a.Values != null)
                {
                    foreach (Mms.Value v in a.Values) pa.Values.Add(ValueToPb(v));
                }
                if (a.LastContributingMA != null) pa.LastContributingMa = Text(a.LastContributingMA.Name);
                pb.Attributes.Add(pa);
            }
            pb.ConnectionState = ToPb(e.ConnectionState);
            if (e.MA != null)
            {
                Pb.ManagementAgent ma = new Pb.ManagementAgent();
                ma.Name = Text(e.MA.Name);
                pb.Ma = ma;
            }
            pb.ConnectionRule = ToPb(e.ConnectionRule);
            return pb;
        }

        private static Pb.AttributeValue ValueToPb(Mms.Value v)
        {
            Pb.AttributeValue pb = new Pb.AttributeValue();
            switch (v.DataType)
            {
                case Mms.AttributeType.Integer: pb.IntegerValue = v.ToInteger(); break;
                case Mms.AttributeType.Binary: pb.BinaryValue = v.ToBinary(); break;
                case Mms.AttributeType.Boolean: pb.BooleanValue = v.ToBoolean(); break;
                case Mms.AttributeType.Reference: pb.ReferenceValue = Text(v.ToString()); break;
                default: pb.StringValue = Text(v.ToString()); break;
            }
            return pb;
        }

        /// <summary>A Schema.ChangeType read from the wire (ECMA2's class is abstract).</summary>
        private sealed class WireChangeTypeDescription : Mms.ChangeTypeDescription
        {
            private readonly string attributeName;
            private readonly string add;
            private readonly string modify;
            private readonly string delete;

            internal WireChangeTypeDescription(Pb.ChangeTypeDescription pb)
            {
                attributeName = Nz(pb.AttributeName);
                add = Nz(pb.Add);
                modify = Nz(pb.Modify);
                delete = Nz(pb.Delete);
            }

            public override string AttributeName { get { return attributeName; } }
            public override string Add { get { return add; } }
            public override string Modify { get { return modify; } }
            public override string Delete { get { return delete; } }
        }
    }
}
