// Ecma2Bridge.dll's identity. Not strong-named: MIM and the ECMA Connector Host load Extensions
// DLLs by path, and nothing binds to this assembly by name.
using System.Reflection;

[assembly: AssemblyTitle("Ecma2Bridge")]
[assembly: AssemblyDescription("ECMA2 connector that forwards every call to a connector run by ecma2-host")]
[assembly: AssemblyProduct("ecma2-host")]
[assembly: AssemblyVersion("0.1.0.0")]
[assembly: AssemblyFileVersion("0.1.0.0")]
