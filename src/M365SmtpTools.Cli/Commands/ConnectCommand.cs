using M365SmtpTools.Cli.Binding;
using M365SmtpTools.Cli.Output;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Cli.Commands;

/// <summary>
/// <c>m365smtp connect</c>: Connect-M365Smtp without the session: gets a token the way the auth options say, checks its
/// claims (audience, scopes/roles, tenant, user, expiry: findings as warnings), and with --test authenticates to the SMTP
/// server. Nothing is kept after the process ends; send and test take the same auth options and connect themselves.
/// </summary>
internal sealed class ConnectCommand : CliCommand<ConnectSmtpRequest>
{
    /// <inheritdoc />
    public override string Name => "connect";

    /// <inheritdoc />
    public override string Cmdlet => "Connect-M365Smtp";

    /// <inheritdoc />
    public override string Description =>
        "Checks a way to authenticate: gets the token (or takes the one given), checks its claims (audience, scopes or roles, tenant, " +
            "user, expiry; "
        + "problems are printed as warnings) and prints what the connection would be. With --test it also authenticates to the " +
            "SMTP server. "
        + "Nothing is kept after the process ends: send and test take the same auth options. Exit code 13 when the token can't be had or " +
            "AUTH fails.";

    /// <inheritdoc />
    public override IReadOnlyList<(string CommandLine, string Explanation)> Examples { get; } = new[]
    {
        ("CLIENT_SECRET=... m365smtp connect --tenant-id contoso.onmicrosoft.com --client-id 11111111-2222-3333-4444-555555555555 " +
            "--client-secret-env CLIENT_SECRET --user-name scanner@contoso.com --test",
            "App-only with a client secret read from the CLIENT_SECRET environment variable; gets the token, checks its roles, and " +
                "authenticates to smtp.office365.com:587."),
        ("TOKEN=$(az account get-access-token --resource https://outlook.office365.com --query accessToken -o tsv) m365smtp connect " +
            "--access-token-env TOKEN --user-name app@contoso.com",
            "Checks a token obtained elsewhere: prints its user and expiry and warns about a wrong audience or missing " +
                "SMTP.SendAsApp role."),
        ("m365smtp connect --managed-identity --user-name alerts@contoso.com --json", "On an Azure VM or container: the managed " +
            "identity's token, as one JSON line."),
    };

    /// <inheritdoc />
    protected override RequestBinding<ConnectSmtpRequest> CreateBinding() => new RequestBinding<ConnectSmtpRequest>()
        .AddAuthOptions()
        .Map(CliOptions.Text("--smtp-server", "HOST",
                "The SMTP server for --test. Default: the cloud's submission host (smtp.office365.com)."),
            r => r.SmtpServer)
        .Map(CliOptions.Int("--port", 1, 65535,
                "The SMTP port for --test. Default 587 (STARTTLS); 465 is not supported by Exchange Online."),
            r => r.Port)
        .Map(CliOptions.Flag("--test", "Also authenticate to the SMTP server (AUTH), not only get the token."), r => r.Test)
        .Map(CliOptions.Flag("--allow-retired-basic-auth",
                "Use Basic authentication (--password-stdin) against Microsoft 365 even after its final removal date."),
            r => r.AllowRetiredBasicAuth)
        .Exclude(r => r.Name, "The CLI keeps no session between runs, so there is no stored connection to name.")
        .Exclude(r => r.PassThru, "The CLI always prints the connection it made (table or --json).");

    /// <inheritdoc />
    public override async Task<int> RunAsync(ConnectSmtpRequest request, CliSession session, CancellationToken cancellationToken)
    {
        AuthOptionGroup.RequireAuth(request, session.Binding, "connect", AuthOptionGroup.SmtpWays);
        // The connection is stored in this process only: the CLI keeps no session between runs.
        int? exitCode = await session.RunAsync(new ConnectSmtpOperation(new SmtpConnectionRegistry()), request,
                connection => Write(session, connection, request.Test), cancellationToken)
            .ConfigureAwait(false);
        return exitCode ?? ExitCodes.Ok;
    }

    private static void Write(CliSession session, SmtpConnection connection, bool authTested)
    {
        var view = new ConnectionView(connection.Method.ToString(), connection.Environment.ToString(), connection.SmtpHost, connection.Port,
            connection.UserName, connection.TenantId, connection.ClientId, connection.TokenExpiresOn, authTested);
        if (session.Output.Json) session.Output.WriteJson(view);
        var table = new TextTable("METHOD", "USER", "SERVER", "ENVIRONMENT", "TENANT", "CLIENT", "TOKEN EXPIRES", "AUTH TESTED");
        table.Add(view.Method, view.UserName, $"{view.SmtpHost}:{view.Port}", view.Environment, view.TenantId, view.ClientId,
            view.TokenExpiresOn?.ToString("u"), view.AuthTested ? "yes" : "no");
        session.Output.WriteTable(table);
    }

    /// <summary>What connect prints (no secret: the token itself is never part of it).</summary>
    internal sealed record ConnectionView(string Method, string Environment, string SmtpHost, int Port, string? UserName, string? TenantId,
        string? ClientId, DateTimeOffset? TokenExpiresOn, bool AuthTested);
}
