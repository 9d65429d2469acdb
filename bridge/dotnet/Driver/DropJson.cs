// Drop lines: each imported change as one JSON object, in the shape the `ecma2` CLI writes with
// `import --drop` (cli/src/drop.rs), so a run through the bridge can be compared with the same
// run through the CLI. Values are typed from the schema, as the sync engine types them.
using System;
using System.Collections.Generic;
using System.Text;
using System.Web.Script.Serialization;
using Microsoft.MetadirectoryServices;

namespace Ecma2.Bridge.Driver
{
    /// <summary>Writes and normalizes drop lines.</summary>
    public static class DropJson
    {
        private static readonly JavaScriptSerializer Json = new JavaScriptSerializer { MaxJsonLength = int.MaxValue };

        /// <summary>An enum member as the proto name the CLI prints, e.g. OBJECT_MODIFICATION_TYPE_ADD.</summary>
        public static string ProtoName(string prefix, object member)
        {
            string name = member.ToString();
            StringBuilder sb = new StringBuilder(prefix);
            for (int i = 0; i < name.Length; i++)
            {
                if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1])) sb.Append('_');
                sb.Append(char.ToUpperInvariant(name[i]));
            }
            return sb.ToString();
        }

        private static AttributeType TypeOf(Schema schema, string objectType, string attribute, AttributeType declared)
        {
            if (declared != AttributeType.Undefined || schema == null) return declared;
            if (objectType != null && schema.Types.Contains(objectType) && schema.Types[objectType].Attributes.Contains(attribute))
            {
                return schema.Types[objectType].Attributes[attribute].DataType;
            }
            return declared;
        }

        private static object Value(object v, AttributeType type)
        {
            if (v is byte[]) return new Dictionary<string, object> { { "binary_bytes", ((byte[])v).Length } };
            if (v is string && type == AttributeType.Reference) return new Dictionary<string, object> { { "ref", v } };
            return v;
        }

        /// <summary>One change as a JSON object, without its identifier.</summary>
        public static string Entry(CSEntryChange c, Schema schema)
        {
            List<object> anchors = new List<object>();
            foreach (AnchorAttribute a in c.AnchorAttributes)
            {
                anchors.Add(new Dictionary<string, object> { { "name", a.Name }, { "value", Value(a.Value, TypeOf(schema, c.ObjectType, a.Name, a.DataType)) } });
            }
            List<object> attributes = new List<object>();
            foreach (AttributeChange a in c.AttributeChanges)
            {
                AttributeType type = TypeOf(schema, c.ObjectType, a.Name, a.DataType);
                List<object> values = new List<object>();
                foreach (ValueChange v in a.ValueChanges)
                {
                    values.Add(new Dictionary<string, object> { { "modification", ProtoName("VALUE_MODIFICATION_TYPE_", v.ModificationType) }, { "value", Value(v.Value, type) } });
                }
                attributes.Add(new Dictionary<string, object>
                {
                    { "name", a.Name },
                    { "modification", ProtoName("ATTRIBUTE_MODIFICATION_TYPE_", a.ModificationType) },
                    { "values", values },
                });
            }
            object error = null;
            if (!string.IsNullOrEmpty(c.ErrorName))
            {
                error = new Dictionary<string, object> { { "code", ProtoName("MA_IMPORT_ERROR_", c.ErrorCodeImport) }, { "name", c.ErrorName }, { "detail", c.ErrorDetail ?? "" } };
            }
            Dictionary<string, object> entry = new Dictionary<string, object>
            {
                { "modification", ProtoName("OBJECT_MODIFICATION_TYPE_", c.ObjectModificationType) },
                { "object_type", c.ObjectType ?? "" },
                { "dn", c.DN ?? "" },
                { "anchors", anchors },
                { "attributes", attributes },
                { "error", error },
            };
            return Normalize(Json.Serialize(entry));
        }

        /// <summary>A drop line with keys sorted and the identifier removed, for comparing runs.</summary>
        public static string Normalize(string line)
        {
            object parsed = Json.DeserializeObject(line);
            Dictionary<string, object> top = parsed as Dictionary<string, object>;
            if (top != null) top.Remove("identifier");
            StringBuilder sb = new StringBuilder();
            Write(sb, parsed);
            return sb.ToString();
        }

        private static void Write(StringBuilder sb, object o)
        {
            Dictionary<string, object> map = o as Dictionary<string, object>;
            if (map != null)
            {
                List<string> keys = new List<string>(map.Keys);
                keys.Sort(StringComparer.Ordinal);
                sb.Append('{');
                for (int i = 0; i < keys.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    sb.Append(Json.Serialize(keys[i])).Append(':');
                    Write(sb, map[keys[i]]);
                }
                sb.Append('}');
                return;
            }
            object[] array = o as object[];
            System.Collections.ArrayList list = o as System.Collections.ArrayList;
            if (array != null || list != null)
            {
                System.Collections.IList items = (System.Collections.IList)array ?? list;
                sb.Append('[');
                for (int i = 0; i < items.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    Write(sb, items[i]);
                }
                sb.Append(']');
                return;
            }
            sb.Append(Json.Serialize(o));
        }
    }
}
