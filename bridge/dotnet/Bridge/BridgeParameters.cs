// BridgeParameters: the two parameters the bridge adds at the top of each MA's Connectivity page,
// so that one Ecma2Bridge.dll serves many MAs: which connector of the host this MA drives, and
// (optionally) another host address than the settings file's. They are the bridge's own and are
// never forwarded to the connector.
using System.Collections.Generic;
using System.Collections.ObjectModel;
using Mms = Microsoft.MetadirectoryServices;

namespace Ecma2.Bridge
{
    /// <summary>The bridge's own Connectivity page parameters.</summary>
    public static class BridgeParameters
    {
        /// <summary>The connector's name in the host configuration.</summary>
        public const string Connector = "ecma2-host connector";

        /// <summary>The host's engine endpoint; empty means the settings file's `host`.</summary>
        public const string Host = "ecma2-host address";

        /// <summary>True for a parameter the bridge owns.</summary>
        public static bool IsOwn(string name)
        {
            return name == Connector || name == Host;
        }

        /// <summary>A parameter's value, or null when absent or empty.</summary>
        public static string Value(KeyedCollection<string, Mms.ConfigParameter> parameters, string name)
        {
            if (parameters == null || !parameters.Contains(name)) return null;
            Mms.ConfigParameter p = parameters[name];
            if (p.IsEncrypted) return null;
            return string.IsNullOrEmpty(p.Value) ? null : p.Value.Trim();
        }

        /// <summary>The definitions drawn first on the Connectivity page.</summary>
        public static IList<Mms.ConfigParameterDefinition> Definitions(IList<string> connectors, string defaultConnector)
        {
            List<Mms.ConfigParameterDefinition> list = new List<Mms.ConfigParameterDefinition>();
            if (connectors != null && connectors.Count > 0)
            {
                string[] names = new string[connectors.Count];
                connectors.CopyTo(names, 0);
                list.Add(Mms.ConfigParameterDefinition.CreateDropDownParameter(Connector, names, true, defaultConnector));
            }
            else
            {
                list.Add(Mms.ConfigParameterDefinition.CreateStringParameter(Connector, "", defaultConnector));
            }
            list.Add(Mms.ConfigParameterDefinition.CreateStringParameter(Host, "", null));
            list.Add(Mms.ConfigParameterDefinition.CreateDividerParameter());
            return list;
        }
    }
}
