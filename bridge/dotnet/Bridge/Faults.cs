// Faults: an ecma2.v1.Fault (the detail of a failed call's status) becomes the exact ECMA2
// exception type with its message, its extra properties (set on the private fields the shipped
// assembly keeps them in) and its inner exception; and an ECMA2 exception becomes a Fault, for
// the tests and for anyone hosting connectors. A failed call without a Fault is a protocol
// problem and becomes ExtensibleExtensionException with the status, as docs/protocol.md says.
using System;
using System.Collections.Generic;
using System.Reflection;
using Mms = Microsoft.MetadirectoryServices;
using Pb = Ecma2.V1;

namespace Ecma2.Bridge
{
    /// <summary>ECMA2 exceptions to and from ecma2.v1.Fault.</summary>
    public static class Faults
    {
        /// <summary>Every FaultKind and the ECMA2 exception type it names.</summary>
        public static readonly IDictionary<Pb.FaultKind, Type> Types = new Dictionary<Pb.FaultKind, Type>
        {
            { Pb.FaultKind.MetadirectoryServicesException, typeof(Mms.MetadirectoryServicesException) },
            { Pb.FaultKind.NoSuchAttributeException, typeof(Mms.NoSuchAttributeException) },
            { Pb.FaultKind.NoSuchParameterException, typeof(Mms.NoSuchParameterException) },
            { Pb.FaultKind.NoSuchAttributeInObjectTypeException, typeof(Mms.NoSuchAttributeInObjectTypeException) },
            { Pb.FaultKind.AttributeDoesNotExistOnObjectException, typeof(Mms.AttributeDoesNotExistOnObjectException) },
            { Pb.FaultKind.AttributeNotInInclusionListException, typeof(Mms.AttributeNotInInclusionListException) },
            { Pb.FaultKind.AttributeNotPresentException, typeof(Mms.AttributeNotPresentException) },
            { Pb.FaultKind.AttributeNotDefinedAsSourceException, typeof(Mms.AttributeNotDefinedAsSourceException) },
            { Pb.FaultKind.TooManyValuesException, typeof(Mms.TooManyValuesException) },
            { Pb.FaultKind.NoCompatiblePartitionFoundException, typeof(Mms.NoCompatiblePartitionFoundException) },
            { Pb.FaultKind.MissingParentObjectException, typeof(Mms.MissingParentObjectException) },
            { Pb.FaultKind.ObjectAlreadyExistsException, typeof(Mms.ObjectAlreadyExistsException) },
            { Pb.FaultKind.NoSuchClassException, typeof(Mms.NoSuchClassException) },
            { Pb.FaultKind.NoSuchObjectTypeException, typeof(Mms.NoSuchObjectTypeException) },
            { Pb.FaultKind.NoSuchObjectException, typeof(Mms.NoSuchObjectException) },
            { Pb.FaultKind.InvalidDnException, typeof(Mms.InvalidDNException) },
            { Pb.FaultKind.NoSuchManagementAgentException, typeof(Mms.NoSuchManagementAgentException) },
            { Pb.FaultKind.ExtensionException, typeof(Mms.ExtensionException) },
            { Pb.FaultKind.TerminateRunException, typeof(Mms.TerminateRunException) },
            { Pb.FaultKind.DeclineMappingException, typeof(Mms.DeclineMappingException) },
            { Pb.FaultKind.UnexpectedDataException, typeof(Mms.UnexpectedDataException) },
            { Pb.FaultKind.EntryPointNotImplementedException, typeof(Mms.EntryPointNotImplementedException) },
            { Pb.FaultKind.OldPasswordIncorrectException, typeof(Mms.OldPasswordIncorrectException) },
            { Pb.FaultKind.ObjectNotFoundException, typeof(Mms.ObjectNotFoundException) },
            { Pb.FaultKind.ObjectTypeNotSupportedException, typeof(Mms.ObjectTypeNotSupportedException) },
            { Pb.FaultKind.AccessDeniedException, typeof(Mms.AccessDeniedException) },
            { Pb.FaultKind.PasswordIllFormedException, typeof(Mms.PasswordIllFormedException) },
            { Pb.FaultKind.PasswordPolicyViolationException, typeof(Mms.PasswordPolicyViolationException) },
            { Pb.FaultKind.BadServerCredentialsException, typeof(Mms.BadServerCredentialsException) },
            { Pb.FaultKind.ServerDownException, typeof(Mms.ServerDownException) },
            { Pb.FaultKind.FailedConnectionException, typeof(Mms.FailedConnectionException) },
            { Pb.FaultKind.DroppedConnectionException, typeof(Mms.DroppedConnectionException) },
            { Pb.FaultKind.WarningNoWatermarkException, typeof(Mms.WarningNoWatermarkException) },
            { Pb.FaultKind.FailedSearchException, typeof(Mms.FailedSearchException) },
            { Pb.FaultKind.PasswordExtensionException, typeof(Mms.PasswordExtensionException) },
            { Pb.FaultKind.EndConnectionException, typeof(Mms.EndConnectionException) },
            { Pb.FaultKind.ClosePasswordConnectionException, typeof(Mms.ClosePasswordConnectionException) },
            { Pb.FaultKind.EntryExportException, typeof(Mms.EntryExportException) },
            { Pb.FaultKind.FatalEntryExportException, typeof(Mms.FatalEntryExportException) },
            { Pb.FaultKind.ExtensibleExtensionException, typeof(Mms.ExtensibleExtensionException) },
            { Pb.FaultKind.FunctionEvaluationException, typeof(Mms.FunctionEvaluationException) },
            { Pb.FaultKind.ProvisioningBySyncRuleException, typeof(Mms.ProvisioningBySyncRuleException) },
        };

        /// <summary>The exception a Fault names, with its message, extra data and inner fault.</summary>
        public static Exception ToException(Pb.Fault fault)
        {
            Type type;
            if (fault.Kind == Pb.FaultKind.Unspecified || !Types.TryGetValue(fault.Kind, out type))
            {
                type = typeof(Mms.ExtensibleExtensionException);
            }
            Exception inner = fault.Inner == null ? null : ToException(fault.Inner);
            Exception e = (Exception)Activator.CreateInstance(type, new object[] { fault.Message, inner });
            Set(e, "m_attributeName", fault.AttributeName);
            Set(e, "m_parameterName", fault.ParameterName);
            Set(e, "m_MAName", fault.MaName);
            Set(e, "m_DN", fault.Dn);
            if (fault.ObjectClasses.Count > 0) Set(e, "m_ObjectClasses", fault.ObjectClasses.ToArray());
            // NoSuchObjectTypeException keeps its ObjectType in m_className; NoCompatiblePartitionFound in m_PrimaryObjectClass.
            if (type == typeof(Mms.NoSuchObjectTypeException)) Set(e, "m_className", fault.ObjectType);
            else Set(e, "m_className", fault.ClassName);
            Set(e, "m_PrimaryObjectClass", fault.ObjectType);
            return e;
        }

        /// <summary>The Fault for an ECMA2 exception (any other exception is ExtensibleExtensionException).</summary>
        public static Pb.Fault FromException(Exception e)
        {
            Pb.Fault f = new Pb.Fault();
            f.Kind = Pb.FaultKind.ExtensibleExtensionException;
            foreach (KeyValuePair<Pb.FaultKind, Type> pair in Types)
            {
                if (pair.Value == e.GetType()) f.Kind = pair.Key;
            }
            if (f.Kind == Pb.FaultKind.ExtensibleExtensionException && e.GetType() != typeof(Mms.ExtensibleExtensionException))
            {
                f.ForeignTypeName = e.GetType().FullName;
            }
            f.Message = e.Message ?? "";
            f.AttributeName = Get(e, "m_attributeName");
            f.ParameterName = Get(e, "m_parameterName");
            f.MaName = Get(e, "m_MAName");
            f.Dn = Get(e, "m_DN");
            FieldInfo classes = e.GetType().GetField("m_ObjectClasses", BindingFlags.Instance | BindingFlags.NonPublic);
            string[] list = classes == null ? null : classes.GetValue(e) as string[];
            if (list != null) f.ObjectClasses.AddRange(list);
            if (e is Mms.NoSuchObjectTypeException) f.ObjectType = Get(e, "m_className");
            else
            {
                f.ClassName = Get(e, "m_className");
                f.ObjectType = Get(e, "m_PrimaryObjectClass");
            }
            if (e.InnerException != null) f.Inner = FromException(e.InnerException);
            return f;
        }

        private static void Set(Exception e, string field, object value)
        {
            if (value == null || (value is string && ((string)value).Length == 0)) return;
            FieldInfo f = e.GetType().GetField(field, BindingFlags.Instance | BindingFlags.NonPublic);
            if (f != null) f.SetValue(e, value);
        }

        private static string Get(Exception e, string field)
        {
            FieldInfo f = e.GetType().GetField(field, BindingFlags.Instance | BindingFlags.NonPublic);
            object v = f == null ? null : f.GetValue(e);
            return v as string ?? "";
        }
    }
}
