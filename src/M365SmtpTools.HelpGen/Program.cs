namespace M365SmtpTools.HelpGen;

/// <summary>Entry point: placeholder until the generator lands.</summary>
public static class Program
{
    /// <summary>Writes the help file.</summary>
    public static int Main(string[] args)
    {
        string output = args[Array.IndexOf(args, "--out") + 1];
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        File.WriteAllText(output, "<helpItems schema=\"maml\" />");
        return 0;
    }
}
