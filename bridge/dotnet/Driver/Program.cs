// Ecma2Driver: a command line over SyncEngine, for trying the bridge by hand and for the
// benchmark. It loads the DLL given with --bridge exactly as the sync engine would.
//   mono Ecma2Driver.exe --bridge out/Ecma2Bridge.dll [--param name=value]... COMMAND
//   COMMAND: interfaces | pages | schema | import [--delta] [--watermark W] [--page-size N] [--drop FILE] [--rounds R]
// `--rounds R` imports R times in this process and times the fastest (the first pays for the JIT).
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Microsoft.MetadirectoryServices;

namespace Ecma2.Bridge.Driver
{
    public static class Program
    {
        public static int Main(string[] args)
        {
            try
            {
                return Run(args);
            }
            catch (Exception e)
            {
                // The type matters: it is what the sync engine would report the run as.
                Console.Error.WriteLine("ecma2-driver: " + e.GetType().FullName + ": " + e.Message);
                return 1;
            }
        }

        private static int Run(string[] args)
        {
            string bridge = null;
            string command = null;
            string drop = null;
            string watermark = null;
            bool delta = false;
            int pageSize = 0;
            int rounds = 1;
            List<KeyValuePair<string, string>> parameters = new List<KeyValuePair<string, string>>();
            for (int i = 0; i < args.Length; i++)
            {
                string a = args[i];
                Func<string> next = () =>
                {
                    if (i + 1 >= args.Length) throw new ArgumentException(a + " needs a value");
                    return args[++i];
                };
                switch (a)
                {
                    case "--bridge": bridge = next(); break;
                    case "--param":
                        string p = next();
                        int eq = p.IndexOf('=');
                        if (eq <= 0) throw new ArgumentException("--param takes name=value, got " + p);
                        parameters.Add(new KeyValuePair<string, string>(p.Substring(0, eq), p.Substring(eq + 1)));
                        break;
                    case "--drop": drop = next(); break;
                    case "--watermark": watermark = next(); break;
                    case "--delta": delta = true; break;
                    case "--page-size": pageSize = int.Parse(next()); break;
                    case "--rounds": rounds = Math.Max(1, int.Parse(next())); break;
                    default:
                        if (a.StartsWith("--", StringComparison.Ordinal) || command != null) throw new ArgumentException("unexpected argument " + a);
                        command = a;
                        break;
                }
            }
            if (bridge == null || command == null)
            {
                Console.Error.WriteLine("usage: Ecma2Driver.exe --bridge DLL [--param name=value]... interfaces|pages|schema|import [--delta] [--watermark W] [--page-size N] [--drop FILE] [--rounds R]");
                return 64;
            }
            SyncEngine engine = SyncEngine.Load(bridge);
            foreach (KeyValuePair<string, string> p in parameters) engine.Set(p.Key, p.Value);
            switch (command)
            {
                case "interfaces":
                    foreach (string name in engine.Interfaces) Console.WriteLine(name);
                    return 0;
                case "pages":
                    foreach (ConfigParameterPage page in new[] { ConfigParameterPage.Connectivity, ConfigParameterPage.Global, ConfigParameterPage.Partition, ConfigParameterPage.RunStep })
                    {
                        Console.WriteLine(page + ":");
                        foreach (ConfigParameterDefinition d in engine.Page(page)) Console.WriteLine("  " + d.Type + " " + (d.Name ?? d.Text));
                        ParameterValidationResult r = engine.Validate(page);
                        Console.WriteLine("  validation: " + r.Code + (r.ErrorMessage == null ? "" : " (" + r.ErrorParameter + ": " + r.ErrorMessage + ")"));
                    }
                    return 0;
                case "schema":
                    foreach (SchemaType t in engine.LoadSchema().Types)
                    {
                        Console.WriteLine(t.Name + ":");
                        foreach (SchemaAttribute a in t.Attributes) Console.WriteLine("  " + a.Name + " " + a.DataType + (a.IsMultiValued ? " multi" : "") + (a.IsAnchor ? " anchor" : ""));
                    }
                    return 0;
                case "import":
                    ImportRun run = null;
                    long best = long.MaxValue;
                    for (int round = 0; round < rounds; round++)
                    {
                        Stopwatch clock = Stopwatch.StartNew();
                        run = engine.Import(delta ? OperationType.Delta : OperationType.Full, pageSize, watermark, null);
                        best = Math.Min(best, clock.ElapsedMilliseconds);
                    }
                    if (drop != null)
                    {
                        using (StreamWriter w = new StreamWriter(drop))
                        {
                            foreach (CSEntryChange c in run.Entries) w.WriteLine(DropJson.Entry(c, engine.Schema));
                        }
                    }
                    Console.WriteLine("entries " + run.Entries.Count + " pages " + run.Pages + " ms " + best);
                    Console.WriteLine("watermark " + run.Watermark);
                    return 0;
                default:
                    throw new ArgumentException("unknown command " + command);
            }
        }
    }
}
