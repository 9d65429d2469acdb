// Stand-in for Microsoft.MetadirectoryServicesEx: the 42 exception types in their two trees
// (api-reference.md §11): every leaf sealed, with (), (string), (string, Exception) and a private
// serialization constructor; extra data in the private fields the shipped assembly uses.
// Generated once from that table; edit by hand.
using System;
using System.Runtime.Serialization;

namespace Microsoft.MetadirectoryServices
{
    public class MetadirectoryServicesException : ApplicationException
    {
        public MetadirectoryServicesException() { }
        public MetadirectoryServicesException(string description) : base(description) { }
        public MetadirectoryServicesException(string description, Exception innerException) : base(description, innerException) { }
        protected MetadirectoryServicesException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public class ExtensionException : ApplicationException
    {
        public ExtensionException() { }
        public ExtensionException(string description) : base(description) { }
        public ExtensionException(string description, Exception innerException) : base(description, innerException) { }
        protected ExtensionException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class NoSuchAttributeException : MetadirectoryServicesException
    {
        private readonly string m_attributeName;
        public NoSuchAttributeException() { }
        public NoSuchAttributeException(string attributeName) : base(attributeName) { m_attributeName = attributeName; }
        public NoSuchAttributeException(string description, Exception innerException) : base(description, innerException) { }
        public string AttributeName { get { return m_attributeName; } }
        private NoSuchAttributeException(SerializationInfo info, StreamingContext context) : base(info, context) { }

    }

    public sealed class NoSuchParameterException : MetadirectoryServicesException
    {
        private readonly string m_parameterName;
        public NoSuchParameterException() { }
        public NoSuchParameterException(string parameterName) : base(parameterName) { m_parameterName = parameterName; }
        public NoSuchParameterException(string description, Exception innerException) : base(description, innerException) { }
        public string ParameterName { get { return m_parameterName; } }
        private NoSuchParameterException(SerializationInfo info, StreamingContext context) : base(info, context) { }

    }

    public sealed class NoSuchAttributeInObjectTypeException : MetadirectoryServicesException
    {
        private readonly string m_attributeName;
        public NoSuchAttributeInObjectTypeException() { }
        public NoSuchAttributeInObjectTypeException(string attributeName) : base(attributeName) { m_attributeName = attributeName; }
        public NoSuchAttributeInObjectTypeException(string description, Exception innerException) : base(description, innerException) { }
        public string AttributeName { get { return m_attributeName; } }
        private NoSuchAttributeInObjectTypeException(SerializationInfo info, StreamingContext context) : base(info, context) { }

    }

    public sealed class AttributeDoesNotExistOnObjectException : MetadirectoryServicesException
    {
        private readonly string m_attributeName;
        public AttributeDoesNotExistOnObjectException() { }
        public AttributeDoesNotExistOnObjectException(string attributeName) : base(attributeName) { m_attributeName = attributeName; }
        public AttributeDoesNotExistOnObjectException(string description, Exception innerException) : base(description, innerException) { }
        public string AttributeName { get { return m_attributeName; } }
        private AttributeDoesNotExistOnObjectException(SerializationInfo info, StreamingContext context) : base(info, context) { }

    }

    public sealed class AttributeNotInInclusionListException : MetadirectoryServicesException
    {
        private readonly string m_attributeName;
        public AttributeNotInInclusionListException() { }
        public AttributeNotInInclusionListException(string attributeName) : base(attributeName) { m_attributeName = attributeName; }
        public AttributeNotInInclusionListException(string description, Exception innerException) : base(description, innerException) { }
        public string AttributeName { get { return m_attributeName; } }
        private AttributeNotInInclusionListException(SerializationInfo info, StreamingContext context) : base(info, context) { }

    }

    public sealed class AttributeNotPresentException : MetadirectoryServicesException
    {
        private readonly string m_attributeName;
        public AttributeNotPresentException() { }
        public AttributeNotPresentException(string attributeName) : base(attributeName) { m_attributeName = attributeName; }
        public AttributeNotPresentException(string description, Exception innerException) : base(description, innerException) { }
        public string AttributeName { get { return m_attributeName; } }
        private AttributeNotPresentException(SerializationInfo info, StreamingContext context) : base(info, context) { }

    }

    public sealed class AttributeNotDefinedAsSourceException : MetadirectoryServicesException
    {
        private readonly string m_attributeName;
        public AttributeNotDefinedAsSourceException() { }
        public AttributeNotDefinedAsSourceException(string attributeName) : base(attributeName) { m_attributeName = attributeName; }
        public AttributeNotDefinedAsSourceException(string description, Exception innerException) : base(description, innerException) { }
        public string AttributeName { get { return m_attributeName; } }
        private AttributeNotDefinedAsSourceException(SerializationInfo info, StreamingContext context) : base(info, context) { }

    }

    public sealed class TooManyValuesException : MetadirectoryServicesException
    {
        private readonly string m_attributeName;
        public TooManyValuesException() { }
        public TooManyValuesException(string attributeName) : base(attributeName) { m_attributeName = attributeName; }
        public TooManyValuesException(string description, Exception innerException) : base(description, innerException) { }
        public string AttributeName { get { return m_attributeName; } }
        private TooManyValuesException(SerializationInfo info, StreamingContext context) : base(info, context) { }

    }

    public sealed class NoCompatiblePartitionFoundException : MetadirectoryServicesException
    {
        private readonly string m_MAName;
        private readonly string m_DN;
        private readonly string[] m_ObjectClasses;
        private readonly string m_PrimaryObjectClass;
        public NoCompatiblePartitionFoundException() { }
        public NoCompatiblePartitionFoundException(string description) : base(description) { }
        public NoCompatiblePartitionFoundException(string description, Exception innerException) : base(description, innerException) { }
        public NoCompatiblePartitionFoundException(string MAName, string DN, string[] ObjectClasses, string ObjectType)
            : base("No compatible partition found for " + DN + " in " + MAName + ".")
        {
            m_MAName = MAName;
            m_DN = DN;
            m_ObjectClasses = ObjectClasses;
            m_PrimaryObjectClass = ObjectType;
        }
        public string MAName { get { return m_MAName; } }
        public ReferenceValue DN { get { return m_DN == null ? null : new StringReferenceValue(m_DN); } }
        public string[] ObjectClasses { get { return m_ObjectClasses; } }
        public string ObjectType { get { return m_PrimaryObjectClass; } }
        private NoCompatiblePartitionFoundException(SerializationInfo info, StreamingContext context) : base(info, context) { }

    }

    public sealed class MissingParentObjectException : MetadirectoryServicesException
    {
        private readonly string m_MAName;
        private readonly string m_DN;
        public MissingParentObjectException() { }
        public MissingParentObjectException(string description) : base(description) { }
        public MissingParentObjectException(string description, Exception innerException) : base(description, innerException) { }
        public MissingParentObjectException(string MAName, string DN) : base(DN)
        {
            m_MAName = MAName;
            m_DN = DN;
        }
        public string MAName { get { return m_MAName; } }
        public ReferenceValue DN { get { return m_DN == null ? null : new StringReferenceValue(m_DN); } }
        private MissingParentObjectException(SerializationInfo info, StreamingContext context) : base(info, context) { }

    }

    public sealed class ObjectAlreadyExistsException : MetadirectoryServicesException
    {
        private readonly string m_MAName;
        private readonly string m_DN;
        public ObjectAlreadyExistsException() { }
        public ObjectAlreadyExistsException(string description) : base(description) { }
        public ObjectAlreadyExistsException(string description, Exception innerException) : base(description, innerException) { }
        public ObjectAlreadyExistsException(string MAName, string DN) : base(DN)
        {
            m_MAName = MAName;
            m_DN = DN;
        }
        public string MAName { get { return m_MAName; } }
        public ReferenceValue DN { get { return m_DN == null ? null : new StringReferenceValue(m_DN); } }
        private ObjectAlreadyExistsException(SerializationInfo info, StreamingContext context) : base(info, context) { }

    }

    public sealed class NoSuchClassException : MetadirectoryServicesException
    {
        private readonly string m_className;
        public NoSuchClassException() { }
        public NoSuchClassException(string className) : base(className) { m_className = className; }
        public NoSuchClassException(string description, Exception innerException) : base(description, innerException) { }
        public string ClassName { get { return m_className; } }
        private NoSuchClassException(SerializationInfo info, StreamingContext context) : base(info, context) { }

    }

    public sealed class NoSuchObjectTypeException : MetadirectoryServicesException
    {
        private readonly string m_className;
        public NoSuchObjectTypeException() { }
        public NoSuchObjectTypeException(string objectType) : base(objectType) { m_className = objectType; }
        public NoSuchObjectTypeException(string description, Exception innerException) : base(description, innerException) { }
        public string ObjectType { get { return m_className; } }
        private NoSuchObjectTypeException(SerializationInfo info, StreamingContext context) : base(info, context) { }

    }

    public sealed class NoSuchObjectException : MetadirectoryServicesException
    {
        private readonly string m_MAName;
        private readonly string m_DN;
        public NoSuchObjectException() { }
        public NoSuchObjectException(string description) : base(description) { }
        public NoSuchObjectException(string description, Exception innerException) : base(description, innerException) { }
        public NoSuchObjectException(string MAName, string DN) : base(DN)
        {
            m_MAName = MAName;
            m_DN = DN;
        }
        public string MAName { get { return m_MAName; } }
        public ReferenceValue DN { get { return m_DN == null ? null : new StringReferenceValue(m_DN); } }
        private NoSuchObjectException(SerializationInfo info, StreamingContext context) : base(info, context) { }

    }

    public sealed class InvalidDNException : MetadirectoryServicesException
    {
        private readonly string m_MAName;
        private readonly string m_DN;
        public InvalidDNException() { }
        public InvalidDNException(string description) : base(description) { }
        public InvalidDNException(string description, Exception innerException) : base(description, innerException) { }
        public InvalidDNException(string MAName, string DN) : base(DN)
        {
            m_MAName = MAName;
            m_DN = DN;
        }
        public InvalidDNException(string MAName, string DN, string messageFormat) : base(string.Format(messageFormat, DN, MAName))
        {
            m_MAName = MAName;
            m_DN = DN;
        }
        public string MAName { get { return m_MAName; } }
        public ReferenceValue DN { get { return m_DN == null ? null : new StringReferenceValue(m_DN); } }
        private InvalidDNException(SerializationInfo info, StreamingContext context) : base(info, context) { }

    }

    public sealed class NoSuchManagementAgentException : MetadirectoryServicesException
    {
        private readonly string m_MAName;
        public NoSuchManagementAgentException() { }
        public NoSuchManagementAgentException(string MAName) : base(MAName) { m_MAName = MAName; }
        public NoSuchManagementAgentException(string description, Exception innerException) : base(description, innerException) { }
        public string MAName { get { return m_MAName; } }
        private NoSuchManagementAgentException(SerializationInfo info, StreamingContext context) : base(info, context) { }

    }

    public sealed class TerminateRunException : ExtensionException
    {
        public TerminateRunException() { }
        public TerminateRunException(string description) : base(description) { }
        public TerminateRunException(string description, Exception innerException) : base(description, innerException) { }
        private TerminateRunException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class DeclineMappingException : ExtensionException
    {
        public DeclineMappingException() { }
        public DeclineMappingException(string description) : base(description) { }
        public DeclineMappingException(string description, Exception innerException) : base(description, innerException) { }
        private DeclineMappingException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class UnexpectedDataException : ExtensionException
    {
        public UnexpectedDataException() { }
        public UnexpectedDataException(string description) : base(description) { }
        public UnexpectedDataException(string description, Exception innerException) : base(description, innerException) { }
        private UnexpectedDataException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class EntryPointNotImplementedException : ExtensionException
    {
        public EntryPointNotImplementedException() { }
        public EntryPointNotImplementedException(string description) : base(description) { }
        public EntryPointNotImplementedException(string description, Exception innerException) : base(description, innerException) { }
        private EntryPointNotImplementedException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class OldPasswordIncorrectException : ExtensionException
    {
        public OldPasswordIncorrectException() { }
        public OldPasswordIncorrectException(string description) : base(description) { }
        public OldPasswordIncorrectException(string description, Exception innerException) : base(description, innerException) { }
        private OldPasswordIncorrectException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class ObjectNotFoundException : ExtensionException
    {
        public ObjectNotFoundException() { }
        public ObjectNotFoundException(string description) : base(description) { }
        public ObjectNotFoundException(string description, Exception innerException) : base(description, innerException) { }
        private ObjectNotFoundException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class ObjectTypeNotSupportedException : ExtensionException
    {
        public ObjectTypeNotSupportedException() { }
        public ObjectTypeNotSupportedException(string description) : base(description) { }
        public ObjectTypeNotSupportedException(string description, Exception innerException) : base(description, innerException) { }
        private ObjectTypeNotSupportedException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class AccessDeniedException : ExtensionException
    {
        public AccessDeniedException() { }
        public AccessDeniedException(string description) : base(description) { }
        public AccessDeniedException(string description, Exception innerException) : base(description, innerException) { }
        private AccessDeniedException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class PasswordIllFormedException : ExtensionException
    {
        public PasswordIllFormedException() { }
        public PasswordIllFormedException(string description) : base(description) { }
        public PasswordIllFormedException(string description, Exception innerException) : base(description, innerException) { }
        private PasswordIllFormedException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class PasswordPolicyViolationException : ExtensionException
    {
        public PasswordPolicyViolationException() { }
        public PasswordPolicyViolationException(string description) : base(description) { }
        public PasswordPolicyViolationException(string description, Exception innerException) : base(description, innerException) { }
        private PasswordPolicyViolationException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class BadServerCredentialsException : ExtensionException
    {
        public BadServerCredentialsException() { }
        public BadServerCredentialsException(string description) : base(description) { }
        public BadServerCredentialsException(string description, Exception innerException) : base(description, innerException) { }
        private BadServerCredentialsException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class ServerDownException : ExtensionException
    {
        public ServerDownException() { }
        public ServerDownException(string description) : base(description) { }
        public ServerDownException(string description, Exception innerException) : base(description, innerException) { }
        private ServerDownException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class FailedConnectionException : ExtensionException
    {
        public FailedConnectionException() { }
        public FailedConnectionException(string description) : base(description) { }
        public FailedConnectionException(string description, Exception innerException) : base(description, innerException) { }
        private FailedConnectionException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class DroppedConnectionException : ExtensionException
    {
        public DroppedConnectionException() { }
        public DroppedConnectionException(string description) : base(description) { }
        public DroppedConnectionException(string description, Exception innerException) : base(description, innerException) { }
        private DroppedConnectionException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class WarningNoWatermarkException : ExtensionException
    {
        public WarningNoWatermarkException() { }
        public WarningNoWatermarkException(string description) : base(description) { }
        public WarningNoWatermarkException(string description, Exception innerException) : base(description, innerException) { }
        private WarningNoWatermarkException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class FailedSearchException : ExtensionException
    {
        public FailedSearchException() { }
        public FailedSearchException(string description) : base(description) { }
        public FailedSearchException(string description, Exception innerException) : base(description, innerException) { }
        private FailedSearchException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class PasswordExtensionException : ExtensionException
    {
        public PasswordExtensionException() { }
        public PasswordExtensionException(string description) : base(description) { }
        public PasswordExtensionException(string description, Exception innerException) : base(description, innerException) { }
        private PasswordExtensionException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class EndConnectionException : ExtensionException
    {
        public EndConnectionException() { }
        public EndConnectionException(string description) : base(description) { }
        public EndConnectionException(string description, Exception innerException) : base(description, innerException) { }
        private EndConnectionException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class ClosePasswordConnectionException : ExtensionException
    {
        public ClosePasswordConnectionException() { }
        public ClosePasswordConnectionException(string description) : base(description) { }
        public ClosePasswordConnectionException(string description, Exception innerException) : base(description, innerException) { }
        private ClosePasswordConnectionException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class EntryExportException : ExtensionException
    {
        public EntryExportException() { }
        public EntryExportException(string description) : base(description) { }
        public EntryExportException(string description, Exception innerException) : base(description, innerException) { }
        private EntryExportException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class FatalEntryExportException : ExtensionException
    {
        public FatalEntryExportException() { }
        public FatalEntryExportException(string description) : base(description) { }
        public FatalEntryExportException(string description, Exception innerException) : base(description, innerException) { }
        private FatalEntryExportException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class ExtensibleExtensionException : ExtensionException
    {
        public ExtensibleExtensionException() { }
        public ExtensibleExtensionException(string description) : base(description) { }
        public ExtensibleExtensionException(string description, Exception innerException) : base(description, innerException) { }
        private ExtensibleExtensionException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class FunctionEvaluationException : ExtensionException
    {
        public FunctionEvaluationException() { }
        public FunctionEvaluationException(string description) : base(description) { }
        public FunctionEvaluationException(string description, Exception innerException) : base(description, innerException) { }
        private FunctionEvaluationException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }

    public sealed class ProvisioningBySyncRuleException : ExtensionException
    {
        public ProvisioningBySyncRuleException() { }
        public ProvisioningBySyncRuleException(string description) : base(description) { }
        public ProvisioningBySyncRuleException(string description, Exception innerException) : base(description, innerException) { }
        private ProvisioningBySyncRuleException(SerializationInfo info, StreamingContext context) : base(info, context) { }
    }
}
