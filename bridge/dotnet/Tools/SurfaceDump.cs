// SurfaceDump: prints the public surface of an assembly (types, base types, interfaces, enum
// values, public and protected members with their signatures) as sorted text, one member per
// line. Run it on the stand-in here and on the real Microsoft.MetadirectoryServicesEx.dll on a
// MIM server; `diff` of the two outputs is the check that the stand-in is faithful.
//   mono SurfaceDump.exe path/to/Microsoft.MetadirectoryServicesEx.dll > surface.txt
using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text;

namespace Ecma2.Bridge.Tools
{
    public static class SurfaceDump
    {
        public static int Main(string[] args)
        {
            if (args.Length != 1)
            {
                Console.Error.WriteLine("usage: SurfaceDump <assembly.dll>");
                return 64;
            }
            foreach (string line in Dump(Assembly.LoadFrom(args[0]))) Console.WriteLine(line);
            return 0;
        }

        public static List<string> Dump(Assembly assembly)
        {
            List<string> lines = new List<string>();
            lines.Add("assembly " + assembly.GetName().Name + " " + assembly.GetName().Version);
            foreach (Type type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
            {
                string t = TypeName(type);
                lines.Add("type " + t + " : " + Describe(type));
                if (type.IsEnum)
                {
                    foreach (string name in Enum.GetNames(type))
                    {
                        object value = Convert.ChangeType(Enum.Parse(type, name), Enum.GetUnderlyingType(type));
                        lines.Add(t + " enum " + name + " = " + value);
                    }
                    continue;
                }
                BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
                List<string> members = new List<string>();
                foreach (ConstructorInfo c in type.GetConstructors(flags))
                {
                    if (!Visible(c)) continue;
                    members.Add(t + " " + Access(c) + "ctor(" + Params(c.GetParameters()) + ")");
                }
                foreach (MethodInfo m in type.GetMethods(flags))
                {
                    if (!Visible(m) || m.IsSpecialName) continue;
                    members.Add(t + " " + Access(m) + Modifiers(m) + "method " + TypeName(m.ReturnType) + " " + m.Name + "(" + Params(m.GetParameters()) + ")");
                }
                foreach (PropertyInfo p in type.GetProperties(flags))
                {
                    MethodInfo get = p.GetGetMethod(true);
                    MethodInfo set = p.GetSetMethod(true);
                    MethodInfo any = get ?? set;
                    if (!Visible(any)) continue;
                    string accessors = (get != null && Visible(get) ? "get; " : "") + (set != null && Visible(set) ? "set; " : "");
                    string index = p.GetIndexParameters().Length > 0 ? "[" + Params(p.GetIndexParameters()) + "]" : "";
                    members.Add(t + " " + Access(any) + Modifiers(any) + "property " + TypeName(p.PropertyType) + " " + p.Name + index + " { " + accessors + "}");
                }
                foreach (FieldInfo f in type.GetFields(flags))
                {
                    if (!(f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly)) continue;
                    string literal = f.IsLiteral ? " = " + f.GetRawConstantValue() : "";
                    members.Add(t + " " + (f.IsPublic ? "public " : "protected ") + (f.IsStatic ? "static " : "") + "field " + TypeName(f.FieldType) + " " + f.Name + literal);
                }
                members.Sort(StringComparer.Ordinal);
                lines.AddRange(members);
            }
            return lines;
        }

        private static bool Visible(MethodBase m)
        {
            return m != null && (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly);
        }

        private static string Access(MethodBase m)
        {
            return m.IsPublic ? "public " : "protected ";
        }

        private static string Modifiers(MethodInfo m)
        {
            if (m.IsStatic) return "static ";
            if (m.IsAbstract) return "abstract ";
            if (m.IsVirtual && !m.IsFinal && m.GetBaseDefinition() == m) return "virtual ";
            if (m.IsVirtual && m.GetBaseDefinition() != m) return "override ";
            return "";
        }

        private static string Describe(Type type)
        {
            StringBuilder sb = new StringBuilder();
            if (type.IsInterface) sb.Append("interface");
            else if (type.IsEnum) sb.Append("enum");
            else if (type.IsValueType) sb.Append("struct");
            else
            {
                if (type.IsAbstract && type.IsSealed) sb.Append("static ");
                else if (type.IsAbstract) sb.Append("abstract ");
                else if (type.IsSealed) sb.Append("sealed ");
                sb.Append("class");
            }
            if (type.IsDefined(typeof(SerializableAttribute), false) && !type.IsEnum) sb.Append(" [Serializable]");
            if (type.IsEnum && type.IsDefined(typeof(FlagsAttribute), false)) sb.Append(" [Flags]");
            if (type.BaseType != null && !type.IsEnum && type.BaseType != typeof(object) && type.BaseType != typeof(ValueType))
            {
                sb.Append(" base ").Append(TypeName(type.BaseType));
            }
            Type[] own = type.GetInterfaces().Where(i => type.BaseType == null || !type.BaseType.GetInterfaces().Contains(i)).ToArray();
            if (own.Length > 0)
            {
                sb.Append(" implements ").Append(string.Join(", ", own.Select(TypeName).OrderBy(n => n, StringComparer.Ordinal)));
            }
            return sb.ToString();
        }

        private static string Params(ParameterInfo[] ps)
        {
            return string.Join(", ", ps.Select(p => (p.IsOut ? "out " : p.ParameterType.IsByRef ? "ref " : "") + (p.IsDefined(typeof(ParamArrayAttribute), false) ? "params " : "") + TypeName(p.ParameterType) + " " + p.Name));
        }

        public static string TypeName(Type type)
        {
            if (type.IsByRef) return TypeName(type.GetElementType());
            if (type.IsArray) return TypeName(type.GetElementType()) + "[]";
            if (type.IsGenericType)
            {
                string name = type.GetGenericTypeDefinition().FullName;
                name = name.Substring(0, name.IndexOf('`'));
                return name + "<" + string.Join(", ", type.GetGenericArguments().Select(TypeName)) + ">";
            }
            return type.FullName ?? type.Name;
        }
    }
}
