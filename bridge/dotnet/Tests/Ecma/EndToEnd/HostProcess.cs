// A real ecma2-host process for the end-to-end tests: a generated configuration with the Rust
// demo connector and the Python HR connector, the engine endpoint on 127.0.0.1 port 0 (read back
// from the host's "host listening" log line), the bridge's settings file pointing at it, and the
// `ecma2` CLI against the same host for comparison. Nothing sleeps: readiness is polled with a
// deadline. SIGTERM on dispose lets the host close sessions and stop its connectors.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using Ecma2.Bridge;
using NUnit.Framework;
using Pb = Ecma2.V1;

namespace Ecma2.Bridge.Tests.Ecma.EndToEnd
{
    public sealed class HostProcess : IDisposable
    {
        private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
        private readonly Process process;
        private readonly StringBuilder log = new StringBuilder();
        private readonly ManualResetEvent listening = new ManualResetEvent(false);

        public string Dir { get; private set; }
        public string Repo { get; private set; }
        public string Listen { get; private set; }
        public string Url { get; private set; }
        public string TokenFile { get; private set; }
        public string SettingsFile { get; private set; }
        public string DemoDatabase { get; private set; }
        public string HrDatabase { get; private set; }
        public string ObserveFile { get; private set; }

        /// <summary>The repository root: ECMA2_REPO, else four levels above build/test.</summary>
        public static string RepoRoot()
        {
            string env = Environment.GetEnvironmentVariable("ECMA2_REPO");
            if (!string.IsNullOrEmpty(env)) return env;
            string dir = Path.GetDirectoryName(typeof(HostProcess).Assembly.Location);
            return Path.GetFullPath(Path.Combine(dir, "..", "..", "..", ".."));
        }

        public static string Binary(string name)
        {
            string dir = Environment.GetEnvironmentVariable("ECMA2_BIN_DIR");
            if (string.IsNullOrEmpty(dir)) dir = Path.Combine(RepoRoot(), "target", "debug");
            string path = Path.Combine(dir, name);
            if (!File.Exists(path)) Assert.Fail(path + " is missing: build it first (cargo build -p ecma2-host -p ecma2-demo -p ecma2-cli)");
            return path;
        }

        public HostProcess(string extraConnectorToml)
        {
            Repo = RepoRoot();
            Dir = Path.Combine(Path.GetTempPath(), "ecma2-bridge-e2e-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            Directory.CreateDirectory(Dir);
            DemoDatabase = Path.Combine(Dir, "demo.db");
            HrDatabase = Path.Combine(Dir, "hr.db");
            ObserveFile = Path.Combine(Dir, "observe.jsonl");
            string python = Path.Combine(Repo, "sdk", "python", ".venv", "bin", "python");
            if (!File.Exists(python)) Assert.Fail(python + " is missing: run sdk/python/scripts/check.sh (it builds the venv with the HR connector)");
            string config = Path.Combine(Dir, "host.toml");
            File.WriteAllText(config,
                "state_dir = " + Toml(Path.Combine(Dir, "state")) + "\n\n" +
                "[engine]\nlisten = \"tcp:127.0.0.1:0\"\n\n" +
                "[[connector]]\nname = \"demo\"\ncommand = " + Toml(Binary("ecma2-demo")) + "\n" +
                "env = { ECMA2_DEMO_OBSERVE_FILE = " + Toml(ObserveFile) + " }\n" +
                "[connector.limits]\nsession_idle_timeout = \"3s\"\nrestart_backoff = \"50ms\"\n\n" +
                "[[connector]]\nname = \"hr\"\ncommand = " + Toml(python) + "\nargs = [\"-m\", \"hr_connector\"]\n" +
                (extraConnectorToml ?? ""));
            ProcessStartInfo start = new ProcessStartInfo(Binary("ecma2-host"), "--config " + Quote(config) + " --log-format json")
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                WorkingDirectory = Dir,
            };
            start.EnvironmentVariables["RUST_LOG"] = "info";
            process = Process.Start(start);
            Regex address = new Regex("\"address\":\"tcp:([0-9.]+:[0-9]+)\"");
            process.ErrorDataReceived += (s, e) =>
            {
                if (e.Data == null) return;
                lock (log) log.AppendLine(e.Data);
                if (Listen == null && e.Data.Contains("host listening for engines"))
                {
                    Match m = address.Match(e.Data);
                    if (m.Success)
                    {
                        Listen = "tcp:" + m.Groups[1].Value;
                        Url = "http://" + m.Groups[1].Value + "/";
                        listening.Set();
                    }
                }
            };
            process.OutputDataReceived += (s, e) => { if (e.Data != null) lock (log) log.AppendLine(e.Data); };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            if (!listening.WaitOne(Deadline)) Fail("did not log its listening address within " + Deadline.TotalSeconds + " s");
            TokenFile = Path.Combine(Dir, "state", "engine.token");
            SettingsFile = Path.Combine(Dir, "Ecma2Bridge.settings");
            File.WriteAllText(SettingsFile, "host = " + Url + "\ntoken_file = " + TokenFile + "\nconnector = demo\ncall_timeout_seconds = 60\npage_timeout_seconds = 120\n");
            WaitReady();
        }

        /// <summary>Polls the host (through the bridge's own link) until every connector is Ready.</summary>
        public void WaitReady()
        {
            HostLink link = HostLink.For(Settings(), null);
            Stopwatch clock = Stopwatch.StartNew();
            string last = "no answer";
            while (clock.Elapsed < Deadline)
            {
                try
                {
                    Pb.ListConnectorsResponse r = link.Host.ListConnectors(new Pb.ListConnectorsRequest(), new Ecma2.Bridge.Wire.CallOptions { Deadline = DateTime.UtcNow.AddSeconds(10) });
                    bool ready = r.Connectors.Count > 0;
                    StringBuilder states = new StringBuilder();
                    foreach (Pb.ConnectorStatus c in r.Connectors)
                    {
                        states.Append(c.Name).Append('=').Append(c.State).Append(' ');
                        if (c.State != Pb.ConnectorState.Ready) ready = false;
                    }
                    last = states.ToString();
                    if (ready) return;
                }
                catch (Ecma2.Bridge.Wire.GrpcWebException e)
                {
                    last = e.Message;
                }
                Thread.Yield();
                listening.WaitOne(TimeSpan.FromMilliseconds(50));
            }
            Fail("connectors not ready within " + Deadline.TotalSeconds + " s: " + last);
        }

        public BridgeSettings Settings()
        {
            return BridgeSettings.LoadFile(SettingsFile);
        }

        public string Log
        {
            get
            {
                lock (log) return log.ToString();
            }
        }

        private void Fail(string why)
        {
            string text = Log;
            Dispose();
            Assert.Fail("ecma2-host " + why + "\n" + text.Substring(Math.Max(0, text.Length - 4000)));
        }

        /// <summary>Runs the `ecma2` CLI against this host; returns stdout, fails on a non-zero exit.</summary>
        public string Cli(string stdin, params string[] args)
        {
            List<string> all = new List<string> { "--host", Listen, "--token-file", TokenFile, "--state", Path.Combine(Dir, "cli-state") };
            all.AddRange(args);
            StringBuilder line = new StringBuilder();
            foreach (string a in all) line.Append(Quote(a)).Append(' ');
            ProcessStartInfo start = new ProcessStartInfo(Binary("ecma2"), line.ToString())
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                WorkingDirectory = Dir,
            };
            using (Process p = Process.Start(start))
            {
                if (stdin != null) p.StandardInput.Write(stdin);
                p.StandardInput.Close();
                System.Threading.Tasks.Task<string> err = p.StandardError.ReadToEndAsync();
                string output = p.StandardOutput.ReadToEnd();
                if (!p.WaitForExit((int)Deadline.TotalMilliseconds)) p.Kill();
                if (p.ExitCode != 0) Assert.Fail("ecma2 " + line + "exited with " + p.ExitCode + ":\n" + err.Result + output);
                return output;
            }
        }

        public void Dispose()
        {
            try
            {
                if (!process.HasExited)
                {
                    Process.Start(new ProcessStartInfo("kill", "-TERM " + process.Id) { UseShellExecute = false }).WaitForExit();
                    if (!process.WaitForExit(30000)) process.Kill();
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            try
            {
                Directory.Delete(Dir, true);
            }
            catch (IOException)
            {
                // A connector still closing a file; the temp folder is cleaned by the system.
            }
        }

        private static string Toml(string s)
        {
            return "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        }

        private static string Quote(string s)
        {
            return "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        }
    }
}
