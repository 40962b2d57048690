// Cross-check for NuGet versions: NuGet.Core 2.8's SemanticVersion (Debian's libnuget-core-cil),
// the last NuGet the build machines can reach. Its release label is SemVer 1.0 (one label,
// compared as a whole string, ignoring case); it answers "skip" for pairs with build metadata,
// dotted labels or all-digit labels, which NuGet has ordered differently since 4.3.
//   csharp -r:/usr/lib/nuget/NuGet.Core.dll oracle-nuget-core.cs < "a<TAB>b" lines
//     > -1, 0, 1, "invalid" or "skip" per line
using System.Text;
using System.Text.RegularExpressions;
using NuGet;

Func<string, bool> semVer1 = v => {
    var dash = v.IndexOf('-');
    var label = dash < 0 ? "" : v.Substring(dash + 1);
    return !v.Contains("+") && !label.Contains(".") && !Regex.IsMatch(label, "^[0-9]+$");
};

var output = new StringBuilder();
string line;
while ((line = Console.ReadLine()) != null) {
    var fields = line.Split('\t');
    SemanticVersion a, b;
    if (!fields.All(semVer1)) {
        output.Append("skip\n");
    } else if (SemanticVersion.TryParse(fields[0], out a) && SemanticVersion.TryParse(fields[1], out b)) {
        output.Append(Math.Sign(a.CompareTo(b))).Append('\n');
    } else {
        output.Append("invalid\n");
    }
}
Console.Write(output.ToString());
