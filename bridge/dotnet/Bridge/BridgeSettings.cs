// BridgeSettings: where the bridge finds the host. Read from `Ecma2Bridge.settings` next to the
// DLL (MIM's Extensions folder), one `key = value` per line, `#` starts a comment; unknown keys
// and bad values are refused with the file, line and key named. The Connectivity page of each MA
// can override `connector` and `host` (see BridgeParameters), so one DLL serves many MAs.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Microsoft.MetadirectoryServices;

namespace Ecma2.Bridge
{
    /// <summary>The bridge's settings, from its settings file.</summary>
    public sealed class BridgeSettings
    {
        /// <summary>The file name looked for next to the DLL.</summary>
        public const string FileName = "Ecma2Bridge.settings";

        /// <summary>The environment variable that names another settings file (tests, the driver).</summary>
        public const string FileVariable = "ECMA2_BRIDGE_SETTINGS";

        /// <summary>The host's engine endpoint, such as http://127.0.0.1:5151/.</summary>
        public string Host { get; private set; }

        /// <summary>The file holding the engine token (the host's token file).</summary>
        public string TokenFile { get; private set; }

        /// <summary>The connector used when an MA's Connectivity page names none.</summary>
        public string Connector { get; private set; }

        /// <summary>The deadline of each call that is not a page or a batch, in seconds.</summary>
        public int CallTimeoutSeconds { get; private set; }

        /// <summary>The deadline of one import page or export batch, in seconds.</summary>
        public int PageTimeoutSeconds { get; private set; }

        /// <summary>How many connections the bridge opens to the host at most.</summary>
        public int MaxConnections { get; private set; }

        /// <summary>The file the settings came from.</summary>
        public string Source { get; private set; }

        private BridgeSettings()
        {
            CallTimeoutSeconds = 120;
            PageTimeoutSeconds = 3600;
            MaxConnections = 16;
        }

        /// <summary>Loads the settings from ECMA2_BRIDGE_SETTINGS, or from the file next to the DLL.</summary>
        public static BridgeSettings Load()
        {
            string path = Environment.GetEnvironmentVariable(FileVariable);
            if (string.IsNullOrEmpty(path))
            {
                System.Reflection.Assembly self = typeof(BridgeSettings).Assembly;
                path = Path.Combine(Path.GetDirectoryName(self.Location) ?? ".", FileName);
                if (!File.Exists(path))
                {
                    // A shadow-copying host loads the DLL from a cache; its CodeBase is where it was installed.
                    string installed = Path.Combine(Path.GetDirectoryName(new Uri(self.CodeBase).LocalPath) ?? ".", FileName);
                    if (File.Exists(installed)) path = installed;
                }
            }
            return LoadFile(path);
        }

        /// <summary>Loads the settings from one file.</summary>
        public static BridgeSettings LoadFile(string path)
        {
            if (!File.Exists(path))
            {
                throw new ExtensibleExtensionException("ecma2-host bridge: the settings file " + path + " does not exist; create it with `host`, `token_file` and `connector` (see bridge/README.md)");
            }
            return Parse(File.ReadAllLines(path), path);
        }

        /// <summary>Parses settings text; <paramref name="source"/> names it in errors.</summary>
        public static BridgeSettings Parse(IList<string> lines, string source)
        {
            BridgeSettings s = new BridgeSettings();
            s.Source = source;
            HashSet<string> seen = new HashSet<string>();
            for (int i = 0; i < lines.Count; i++)
            {
                string line = lines[i];
                int hash = line.IndexOf('#');
                if (hash >= 0) line = line.Substring(0, hash);
                line = line.Trim();
                if (line.Length == 0) continue;
                int eq = line.IndexOf('=');
                string where = source + " line " + (i + 1);
                if (eq <= 0) throw Bad(where + ": expected `key = value`, found `" + line + "`");
                string key = line.Substring(0, eq).Trim();
                string value = line.Substring(eq + 1).Trim();
                if (!seen.Add(key)) throw Bad(where + ": key `" + key + "` is set twice");
                switch (key)
                {
                    case "host":
                        Uri uri;
                        if (!Uri.TryCreate(value, UriKind.Absolute, out uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                        {
                            throw Bad(where + ": `host` must be an http:// or https:// address, found `" + value + "`");
                        }
                        s.Host = value;
                        break;
                    case "token_file":
                        s.TokenFile = value;
                        break;
                    case "connector":
                        s.Connector = value;
                        break;
                    case "call_timeout_seconds":
                        s.CallTimeoutSeconds = Positive(where, key, value);
                        break;
                    case "page_timeout_seconds":
                        s.PageTimeoutSeconds = Positive(where, key, value);
                        break;
                    case "max_connections":
                        s.MaxConnections = Positive(where, key, value);
                        break;
                    default:
                        throw Bad(where + ": unknown key `" + key + "` (known: host, token_file, connector, call_timeout_seconds, page_timeout_seconds, max_connections)");
                }
            }
            if (s.Host == null) throw Bad(source + ": `host` is required");
            if (s.TokenFile == null) throw Bad(source + ": `token_file` is required");
            if (!Path.IsPathRooted(s.TokenFile))
            {
                s.TokenFile = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(source)) ?? ".", s.TokenFile);
            }
            return s;
        }

        /// <summary>Reads the engine token; its text never appears in an error.</summary>
        public string ReadToken()
        {
            try
            {
                string token = File.ReadAllText(TokenFile).Trim();
                if (token.Length == 0) throw new BadServerCredentialsException("ecma2-host bridge: the token file " + TokenFile + " is empty");
                return token;
            }
            catch (IOException e)
            {
                throw new BadServerCredentialsException("ecma2-host bridge: cannot read the token file " + TokenFile + ": " + e.Message);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new BadServerCredentialsException("ecma2-host bridge: cannot read the token file " + TokenFile + ": " + e.Message);
            }
        }

        private static int Positive(string where, string key, string value)
        {
            int n;
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out n) || n <= 0)
            {
                throw Bad(where + ": `" + key + "` must be a positive whole number, found `" + value + "`");
            }
            return n;
        }

        private static ExtensibleExtensionException Bad(string message)
        {
            return new ExtensibleExtensionException("ecma2-host bridge settings: " + message);
        }
    }
}
