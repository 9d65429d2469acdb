// Stand-in for Microsoft.MetadirectoryServicesEx: configuration parameters, their page
// definitions and validation results (api-reference.md §5), with the IL-recorded behaviour.
using System;
using System.Collections.ObjectModel;
using System.Security;
using System.Text;

namespace Microsoft.MetadirectoryServices
{
    [Serializable]
    public sealed class ConfigParameter
    {
        private readonly string name;
        private readonly string value;
        [NonSerialized]
        private readonly SecureString secureValue;
        private readonly bool isEncrypted;
        private readonly bool usesSecureString;

        public ConfigParameter() { }

        public ConfigParameter(string name, string value) : this(name, value, false) { }

        public ConfigParameter(string name, string value, bool isEncrypted)
        {
            this.name = name;
            this.value = value;
            this.isEncrypted = isEncrypted;
        }

        public ConfigParameter(string name, SecureString secureValue)
        {
            this.name = name;
            this.secureValue = secureValue;
            isEncrypted = true;
            usesSecureString = true;
        }

        public string Name { get { return name; } }

        public string Value
        {
            get
            {
                if (isEncrypted && usesSecureString) throw new InvalidOperationException("Encrypted parameter should be retrieved using the SecureValue property.");
                return value;
            }
        }

        public SecureString SecureValue
        {
            get
            {
                if (!isEncrypted) throw new InvalidOperationException("Unencrypted parameter should be retrieved using the Value property.");
                if (!usesSecureString) throw new InvalidOperationException("Extensible Connectivity MA 1 encrypted parameter should be retrieved using the Value property.");
                return secureValue;
            }
        }

        public bool IsEncrypted { get { return isEncrypted; } }
    }

    [Serializable]
    public sealed class ConfigParameterKeyedCollection : KeyedCollection<string, ConfigParameter>
    {
        public ConfigParameterKeyedCollection() { }
        protected override string GetKeyForItem(ConfigParameter item) { return item.Name; }
    }

    [Serializable]
    public sealed class ConfigParameterDefinition
    {
        // As in the shipped class, elements a factory does not set read as "" (not null).
        private string m_name = "";
        private ConfigParameterType m_parameterType;
        private string m_validation = "";
        private string m_text = "";
        private string m_defaultValue = "";
        private bool m_userExtensible;

        public ConfigParameterDefinition() { }

        private static ConfigParameterDefinition Make(ConfigParameterType type, string name, string validation, string text, string defaultValue, bool extensible)
        {
            ConfigParameterDefinition d = new ConfigParameterDefinition();
            d.m_parameterType = type;
            d.m_name = name;
            d.m_validation = validation;
            d.m_text = text;
            d.m_defaultValue = defaultValue;
            d.m_userExtensible = extensible;
            return d;
        }

        // What an overload without the argument passes (the shipped IL passes "").
        private const string None = "";

        public string Name { get { return m_name; } }
        public ConfigParameterType Type { get { return m_parameterType; } }
        public string Text { get { return m_text; } }
        public string Validation { get { return m_validation; } }
        public string DefaultValue { get { return m_defaultValue; } }
        public bool CheckBoxDefault { get { return m_defaultValue == "1"; } }
        public bool DropDownExtensible { get { return m_userExtensible; } }

        public static ConfigParameterDefinition CreateStringParameter(string name, string validation) { return CreateStringParameter(name, validation, None); }
        public static ConfigParameterDefinition CreateStringParameter(string name, string validation, string defaultValue) { return Make(ConfigParameterType.String, name, validation, None, defaultValue, false); }
        public static ConfigParameterDefinition CreateEncryptedStringParameter(string name, string validation) { return CreateEncryptedStringParameter(name, validation, None); }
        public static ConfigParameterDefinition CreateEncryptedStringParameter(string name, string validation, string defaultValue) { return Make(ConfigParameterType.EncryptedString, name, validation, None, defaultValue, false); }
        public static ConfigParameterDefinition CreateLabelParameter(string text) { return Make(ConfigParameterType.Label, None, None, text, None, false); }
        public static ConfigParameterDefinition CreateTextParameter(string name) { return CreateTextParameter(name, None); }
        public static ConfigParameterDefinition CreateTextParameter(string name, string defaultValue) { return Make(ConfigParameterType.Text, name, None, None, defaultValue, false); }
        public static ConfigParameterDefinition CreateDropDownParameter(string name, string values, bool extensible) { return CreateDropDownParameter(name, values, extensible, None); }
        public static ConfigParameterDefinition CreateDropDownParameter(string name, string values, bool extensible, string defaultValue) { return Make(ConfigParameterType.DropDown, name, values, None, defaultValue, extensible); }
        public static ConfigParameterDefinition CreateDropDownParameter(string name, string[] values, bool extensible) { return CreateDropDownParameter(name, values, extensible, None); }

        public static ConfigParameterDefinition CreateDropDownParameter(string name, string[] values, bool extensible, string defaultValue)
        {
            StringBuilder joined = new StringBuilder();
            foreach (string v in values) joined.Append(v.Replace(",", "\\,")).Append(',');
            return Make(ConfigParameterType.DropDown, name, joined.ToString(), None, defaultValue, extensible);
        }

        public static ConfigParameterDefinition CreateCheckBoxParameter(string name) { return Make(ConfigParameterType.CheckBox, name, None, None, None, false); }
        public static ConfigParameterDefinition CreateCheckBoxParameter(string name, bool defaultValue) { return Make(ConfigParameterType.CheckBox, name, None, None, defaultValue ? "1" : "0", false); }
        public static ConfigParameterDefinition CreateDividerParameter() { return Make(ConfigParameterType.Divider, None, None, None, None, false); }
        public static ConfigParameterDefinition CreateFileParameter(string name) { return CreateFileParameter(name, None); }
        public static ConfigParameterDefinition CreateFileParameter(string name, string defaultValue) { return Make(ConfigParameterType.File, name, None, None, defaultValue, false); }
    }

    [Serializable]
    public sealed class ParameterValidationResult
    {
        public ParameterValidationResult() { }

        public ParameterValidationResult(ParameterValidationResultCode code, string errorMessage, string errorParameter)
        {
            Code = code;
            ErrorMessage = errorMessage;
            ErrorParameter = errorParameter;
        }

        public ParameterValidationResultCode Code { get; set; }
        public string ErrorMessage { get; set; }
        public string ErrorParameter { get; set; }
    }
}
