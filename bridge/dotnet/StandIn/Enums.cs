// Stand-in for Microsoft.MetadirectoryServicesEx: every enum, with the numbers recorded in
// /work/shared/ecma2/api-reference.md §5, §6, §8, §9 and §10 (read from the shipped assemblies).
using System;

namespace Microsoft.MetadirectoryServices
{
    [Serializable]
    public enum AttributeType { String = 0, Integer = 1, Reference = 2, Binary = 3, Boolean = 4, Undefined = 5 }

    [Serializable]
    public enum AttributeOperation { ImportExport = 0, ExportOnly = 1, ImportOnly = 2 }

    public enum ObjectModificationType { Unconfigured = 0, None = 1, Add = 2, Replace = 3, Update = 4, Delete = 5 }

    public enum AttributeModificationType { Unconfigured = 0, Add = 1, Replace = 2, Update = 3, Delete = 4 }

    public enum ValueModificationType { Unconfigured = 0, Add = 1, Delete = 2 }

    public enum ModificationType { Add = 0, Replace = 1, Delete = 2 }

    public enum OperationType { Full = 0, FullObject = 1, Delta = 2 }

    public enum CloseReason { Normal = 0, TerminatedByUser = 1, TerminatedShuttingDown = 2, OpenConnectionFailure = 3, Unknown = 4 }

    public enum ConfigParameterType { String = 0, EncryptedString = 1, Label = 2, Text = 3, DropDown = 4, CheckBox = 5, Divider = 6, File = 7 }

    public enum ConfigParameterPage { Connectivity = 0, Global = 1, RunStep = 2, Partition = 3, Capabilities = 4, Schema = 5 }

    public enum ParameterValidationResultCode { Success = 0, Failure = 1 }

    public enum MADistinguishedNameStyle { None = 0, Generic = 1, Ldap = 2 }

    [Flags]
    public enum MANormalizations { None = 0, Uppercase = 1, RemoveAccents = 2 }

    public enum MAExportType { AttributeUpdate = 1, AttributeReplace = 2, ObjectReplace = 3, MultivaluedReferenceAttributeUpdate = 5 }

    public enum MAObjectConfirmation { Normal = 0, NoDeleteConfirmation = 1, NoAddAndDeleteConfirmation = 3 }

    [Flags]
    public enum PasswordOptions { None = 0, ForceChangeAtLogOn = 1, UnlockAccount = 2, ValidatePassword = 4 }

    public enum ConnectionSecurityLevel { NotSecure = 0, Secure = 1 }

    public enum ConnectionState { Connected = 0, ExplicitlyConnected = 1, Disconnected = 2, ExplicitlyDisconnected = 3, DisconnectedByFilter = 4, Placeholder = 5 }

    public enum RuleType { Provisioning = 0, Projection = 1, Join = 2, AccountJoiner = 3, ConnectorFilter = 4, MVDeletion = 5, ImportAttributeFlow = 6, ExportAttributeFlow = 7, CSDeprovisioning = 8, Unknown = 9 }

    [Flags]
    public enum AttribFlags { None = 0, MultiValued = 1, Encrypted = 2, ExportOnly = 4 }

    public enum DeprovisionAction { Disconnect = 1, ExplicitDisconnect = 2, Delete = 3 }

    public enum MAImportError
    {
        Success = 0,
        ImportErrorMissingDomainName = 1,
        ImportErrorDomainNameNotLdapConformant = 2,
        ImportErrorInvalidDomainName = 3,
        ImportErrorMissingChangeType = 4,
        ImportErrorInvalidChangeType = 5,
        ImportErrorMultiValuedChangeType = 6,
        ImportErrorMissingObjectClass = 7,
        ImportErrorMissingObjectType = 8,
        ImportErrorParseError = 9,
        ImportErrorReadError = 10,
        ImportErrorInvalidAttributeValue = 11,
        ImportErrorInvalidBase64Value = 12,
        ImportErrorInvalidNumericValue = 13,
        ImportErrorInvalidBooleanValue = 14,
        ImportErrorCustomStopRun = 15,
        ImportErrorCustomContinueRun = 16,
    }

    public enum MAExportError
    {
        Success = 0,
        ExportActionConvertUpdateToAdd = 1,
        ExportActionRetryReferenceAttribute = 2,
        ExportActionProvisioningParent = 3,
        ExportErrorConnectedDirectoryError = 4,
        ExportErrorConnectedDirectoryMissingObject = 5,
        ExportErrorConnectedDirectoryExistingObject = 6,
        ExportErrorReferenceAttributeFailure = 7,
        ExportErrorNonExistingParent = 8,
        ExportErrorDuplicateAnchor = 9,
        ExportErrorAmbiguousUpdate = 10,
        ExportErrorPasswordPolicyViolation = 11,
        ExportErrorKerberosTimeSkew = 12,
        ExportErrorKerberosNoLogOnServer = 13,
        ExportErrorInvalidDN = 14,
        ExportErrorConstraintViolation = 15,
        ExportErrorSyntaxViolation = 16,
        ExportErrorChangeNamingAttribute = 17,
        ExportErrorPermissionIssue = 18,
        ExportErrorMissingProvisioningAttribute = 19,
        ExportErrorInvalidProvisioningAttributeValue = 20,
        ExportErrorMissingAnchorComponent = 21,
        ExportErrorMultiValuedAnchorComponent = 22,
        ExportErrorAnchorTooLong = 23,
        ExportErrorInvalidAttributeValue = 24,
        ExportErrorCustomStopRun = 25,
        ExportErrorCustomContinueRun = 26,
    }
}
