// The stand-in carries the identity of the shipped assembly (name, version 4.1.4.0, Microsoft's
// public key, delay-signed: no private key is involved), so that Ecma2Bridge.dll compiled against
// it references exactly what MIM 2016 and the ECMA Connector Host load. It is a build-time
// reference only and is never shipped; see bridge/README.md.
using System.Reflection;

[assembly: AssemblyTitle("Microsoft.MetadirectoryServicesEx (ecma2-host stand-in)")]
[assembly: AssemblyDescription("Written from the ECMA2 API reference for building and testing on Linux. Not Microsoft's binary.")]
[assembly: AssemblyVersion("4.1.4.0")]
[assembly: AssemblyFileVersion("0.0.0.0")]
